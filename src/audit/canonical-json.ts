import { WardenError } from '../errors.ts';

/**
 * JSON with object keys sorted recursively and no whitespace, so that one value has exactly
 * one byte form: hashes and signatures are taken over these bytes, and the verifier compares
 * every stored line with them.
 */
export function canonicalJson(value: unknown): string {
  const out = encode(value, '$');
  if (out === undefined) {
    throw new WardenError('audit.not_json', 'an audit value must be representable as JSON', { where: '$' });
  }
  return out;
}

function encode(value: unknown, where: string): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      // NaN and Infinity would silently become null and the hash would no longer match the caller's value.
      if (!Number.isFinite(value)) {
        throw new WardenError('audit.not_json', `${value} cannot be stored in an audit record`, { where });
      }
      return JSON.stringify(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new WardenError('audit.not_json', 'a bigint cannot be stored in an audit record', {
        where,
        hint: 'convert it to a string first',
      });
  }
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return encode(withJson.toJSON(), where);
  if (Array.isArray(value)) {
    const items = value.map((item, i) => encode(item, `${where}[${i}]`) ?? 'null');
    return `[${items.join(',')}]`;
  }
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const encoded = encode(record[key], `${where}.${key}`);
    if (encoded !== undefined) parts.push(`${JSON.stringify(key)}:${encoded}`);
  }
  return `{${parts.join(',')}}`;
}
