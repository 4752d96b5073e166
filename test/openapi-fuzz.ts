/**
 * Requests for fuzzing an API from its own OpenAPI document: every operation, with values drawn
 * from each parameter's and body's schema, then mutated (wrong types, missing required fields,
 * extra fields, huge and unicode strings, deep nesting, invalid JSON, wrong content types). A new
 * operation in the document is fuzzed without a change here.
 */
import fc from 'fast-check';

type Schema = Record<string, unknown>;
type Doc = { paths: Record<string, Record<string, Operation>>; components?: Record<string, unknown> };

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  operationId: string;
  parameters?: Array<Parameter | { $ref: string }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
}

export interface FuzzOperation {
  method: string;
  path: string;
  operationId: string;
  parameters: Parameter[];
  body: Schema | undefined;
}

export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** What was generated, for the failure message. */
  note: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation the document describes, its `$ref`s resolved. */
export function operationsOf(doc: Doc): FuzzOperation[] {
  const out: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const parameters = (op.parameters ?? []).map((p) => resolve(doc, p) as Parameter);
      const body = op.requestBody?.content['application/json']?.schema;
      out.push({ method: method.toUpperCase(), path, operationId: op.operationId, parameters, body });
    }
  }
  return out;
}

export function resolve(doc: Doc, value: unknown): unknown {
  if (value && typeof value === 'object' && '$ref' in value) {
    const ref = String((value as { $ref: string }).$ref);
    const target = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc);
    return resolve(doc, target);
  }
  return value;
}

/** Strings a parser or a store may choke on. */
const nasty = fc.constantFrom(
  '',
  ' ',
  '..',
  '../../etc/passwd',
  '%',
  '%zz',
  '%00',
  '\u0000',
  '\uD800',
  '\uFEFF',
  '😀'.repeat(50),
  'a'.repeat(5000),
  'null',
  'true',
  '-1',
  '1e309',
  'NaN',
  '9'.repeat(40),
  '0x10',
  '__proto__',
  'constructor',
  "'; DROP TABLE tasks; --",
  '<script>alert(1)</script>',
  '$' + '{7*7}',
  '\u202Egnp.exe',
);

const junkString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 300 }),
  nasty,
  fc.nat({ max: 200_000 }).map((n) => 'x'.repeat(n)),
);

/** A JSON value of any shape, including deep nesting. */
const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  junkString,
  fc.constantFrom(0, -1, 1.5, 2 ** 53, -(2 ** 63), Number.MAX_VALUE, true, false, null),
  fc.nat({ max: 3000 }).map((depth) => nest(depth)),
  fc.dictionary(fc.oneof(fc.string(), nasty), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
);

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Values that satisfy a schema (as far as this small generator understands it). */
export function valid(doc: Doc, raw: unknown, seeds: Record<string, string[]> = {}): fc.Arbitrary<unknown> {
  const schema = resolve(doc, raw) as Schema | undefined;
  if (!schema) return fc.constant(undefined);
  if (Array.isArray(schema.enum))
    return fc.constantFrom(...(schema.enum as unknown[]).filter((v) => v !== null));
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string': {
      const base =
        typeof schema.pattern === 'string'
          ? fc.stringMatching(new RegExp(schema.pattern))
          : fc.string({
              minLength: Number(schema.minLength ?? 0),
              maxLength: Math.min(Number(schema.maxLength ?? 40), 40),
            });
      const known = Object.values(seeds).flat();
      return known.length > 0 ? fc.oneof(base, fc.constantFrom(...known)) : base;
    }
    case 'integer':
      return fc.integer({
        min: Number(schema.minimum ?? (schema.exclusiveMinimum as number) ?? -1000),
        max: Math.min(Number(schema.maximum ?? 1_000_000), Number.MAX_SAFE_INTEGER),
      });
    case 'number':
      return fc.double({
        min: Number(schema.minimum ?? 0.001),
        max: Number(schema.maximum ?? 1_000_000),
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valid(doc, schema.items, seeds), {
        maxLength: Math.min(Number(schema.maxItems ?? 4), 4),
      });
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, unknown>;
      const required = (schema.required ?? []) as string[];
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(properties)) record[key] = valid(doc, value, seeds);
      return fc.record(record, { requiredKeys: required.filter((key) => key in record) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** A valid value with one thing wrong, or nothing wrong, or something else entirely. */
export function mutated(doc: Doc, raw: unknown, seeds: Record<string, string[]>): fc.Arbitrary<unknown> {
  const schema = resolve(doc, raw) as Schema | undefined;
  const good = valid(doc, raw, seeds);
  if (schema?.type !== 'object') return fc.oneof(good, junkValue);
  const keys = Object.keys((schema.properties ?? {}) as object);
  return fc.oneof(
    good,
    junkValue,
    // One field dropped (a required one, often), replaced by junk, or one field added.
    fc.tuple(good, fc.constantFrom(...(keys.length ? keys : ['x']))).map(([value, key]) => {
      const copy = { ...(value as object) } as Record<string, unknown>;
      delete copy[key];
      return copy;
    }),
    fc.tuple(good, fc.constantFrom(...(keys.length ? keys : ['x'])), junkValue).map(([value, key, junk]) => ({
      ...(value as object),
      [key]: junk,
    })),
    fc.tuple(good, fc.oneof(fc.string({ maxLength: 20 }), nasty), junkValue).map(([value, key, junk]) => ({
      ...(value as object),
      [key]: junk,
    })),
  );
}

/** Header values the HTTP client can put on the wire (tab, printable ASCII and Latin-1). */
const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\t\x20-\x7e]/g, '?')),
  fc.constantFrom('', '-1', '0', '99999999999999999999', 'abc', '1.5', ' 7 '),
);

const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/xml',
  'application/json-patch+json',
  '',
  'garbage',
);

const rawBodies = fc.constantFrom(
  '{',
  '[1, 2]',
  '"text"',
  'null',
  '{"a":1,}',
  '\u0000',
  '{"__proto__":{"x":1}}',
  ' ',
);

/** One request for `op`: parameters valid or not, query and headers extra or missing, any body. */
export function requestFor(
  doc: Doc,
  op: FuzzOperation,
  seeds: Record<string, string[]>,
  auth: fc.Arbitrary<string | undefined>,
): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const headerParams = op.parameters.filter((p) => p.in === 'header');
  const paramValue = (p: Parameter) =>
    fc.oneof(
      { weight: 3, arbitrary: valid(doc, p.schema, p.name === 'id' ? seeds : {}).map(String) },
      { weight: 2, arbitrary: junkString },
    );
  const pathArb = fc.tuple(...pathParams.map((p) => paramValue(p)), fc.boolean()).map((values) => {
    const raw = values.at(-1) as boolean;
    let path = op.path;
    pathParams.forEach((p, i) => {
      // A lone surrogate cannot be percent-encoded; what reaches a server is its replacement.
      const value = String(values[i]).toWellFormed();
      // Mostly encoded as a client would; sometimes as typed, kept to what a request line can carry.
      const text = raw ? value.replace(/[^\x21-\x7e]/gu, encodeURIComponent) : encodeURIComponent(value);
      path = path.replace(`{${p.name}}`, text);
    });
    return path;
  });
  const queryArb = fc
    .tuple(
      fc.tuple(...queryParams.map((p) => fc.option(fc.oneof(valid(doc, p.schema).map(String), junkString)))),
      fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 10 }), nasty), junkString), { maxLength: 2 }),
      fc.option(fc.constantFrom('%zz', '&&=', 'limit=1&limit=2', 'a[b]=1', '=', '%00=%00')),
    )
    .map(([values, extra, raw]) => {
      const query = new URLSearchParams();
      queryParams.forEach((p, i) => {
        if (values[i] !== null) query.append(p.name, String(values[i]));
      });
      for (const [key, value] of extra) query.append(key, value);
      const text = [query.toString(), raw ?? ''].filter(Boolean).join('&');
      return text ? `?${text}` : '';
    });
  const headerArb = fc.tuple(
    ...headerParams.map((p) => fc.option(fc.oneof(valid(doc, p.schema).map(String), headerValue))),
  );
  const bodyArb: fc.Arbitrary<{ body: string | undefined; type: string | undefined }> = fc.oneof(
    {
      weight: op.body ? 6 : 1,
      arbitrary: fc
        .tuple(op.body ? mutated(doc, op.body, seeds) : junkValue, fc.option(contentTypes, { freq: 4 }))
        .map(([value, type]) => ({ body: JSON.stringify(value), type: type ?? 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(rawBodies, contentTypes).map(([body, type]) => ({ body, type })),
    },
    { weight: op.body ? 1 : 4, arbitrary: fc.constant({ body: undefined, type: undefined }) },
    { weight: 1, arbitrary: fc.constant({ body: '', type: 'application/json' }) },
  );
  return fc.tuple(pathArb, queryArb, headerArb, bodyArb, auth).map(([path, query, headers, body, token]) => {
    const h: Record<string, string> = {};
    headerParams.forEach((p, i) => {
      const value = headers[i];
      if (value !== null && value !== undefined) h[p.name] = String(value);
    });
    if (body.type !== undefined && body.type !== '') h['content-type'] = body.type;
    if (token !== undefined) h.authorization = token;
    const note = `${op.method} ${short(`${path}${query}`)} ${short(JSON.stringify(h))} ${short(String(body.body))}`;
    // Counterexamples are printed with this, not with a megabyte of generated text.
    return {
      method: op.method,
      path: `${path}${query}`,
      headers: h,
      body: body.body,
      note,
      [fc.toStringMethod]: () => note,
    };
  });
}

function short(text: string): string {
  return text.length > 240 ? `${text.slice(0, 200)}…(${text.length} chars)` : text;
}
