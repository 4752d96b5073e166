import { findSecrets } from './find-secrets.ts';

/**
 * The one redactor on every path out of Warden's process: toward the model, the audit log, events
 * and the terminal. Known secret values (keys Warden holds, values from `.env` files) are replaced
 * exactly; other secrets are found by their shape. Each distinct secret gets a stable placeholder
 * such as `«secret:aws-access-key#1»`, so the model can still reason about "the key".
 */
export interface Redactor {
  redact(text: string): string;
  /** Redacts every string inside a JSON-like value, object keys included. */
  redactValue<T>(value: T): T;
  /** Adds values to replace exactly from now on (shorter than 8 characters are ignored). */
  addKnown(values: Iterable<{ value: string; kind: string }>): void;
}

const MIN_KNOWN_LENGTH = 8;

export function createRedactor(): Redactor {
  const known = new Map<string, string>(); // value -> kind
  const placeholders = new Map<string, string>(); // value -> placeholder
  const counters = new Map<string, number>();
  let knownPattern: RegExp | undefined;

  const placeholder = (value: string, kind: string): string => {
    const existing = placeholders.get(value);
    if (existing) return existing;
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    const made = `«secret:${kind}#${n}»`;
    placeholders.set(value, made);
    return made;
  };

  const redact = (text: string): string => {
    if (!text) return text;
    let out = text;
    if (knownPattern)
      out = out.replace(knownPattern, (value) => placeholder(value, known.get(value) ?? 'known'));
    const findings = findSecrets(out);
    if (findings.length === 0) return out;
    const parts: string[] = [];
    let at = 0;
    for (const { rule, start, end } of findings) {
      parts.push(out.slice(at, start), placeholder(out.slice(start, end), rule.id));
      at = end;
    }
    parts.push(out.slice(at));
    return parts.join('');
  };

  const redactValue = <T>(value: T): T => {
    if (typeof value === 'string') return redact(value) as T;
    if (Array.isArray(value)) return value.map(redactValue) as T;
    if (value !== null && typeof value === 'object') {
      // Keys too: a model's tool arguments or a parsed file can put a secret in a key.
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [redact(key), redactValue(inner)]),
      ) as T;
    }
    return value;
  };

  return {
    redact,
    redactValue,
    addKnown(values) {
      for (const { value, kind } of values) {
        if (value.length >= MIN_KNOWN_LENGTH) known.set(value, kind);
      }
      // Longest first, so a secret that contains another is replaced whole.
      const sorted = [...known.keys()].sort((a, b) => b.length - a.length);
      knownPattern = sorted.length
        ? new RegExp(sorted.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g')
        : undefined;
    },
  };
}

/** Secret-looking variables of an environment: the keys Warden itself holds. */
export function secretsInEnv(env: NodeJS.ProcessEnv): Array<{ value: string; kind: string }> {
  return Object.entries(env)
    .filter(([name, value]) => value && /KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL/i.test(name))
    .map(([name, value]) => ({ value: value as string, kind: name.toLowerCase().replace(/_/g, '-') }));
}

/** Values assigned in a `.env`-style file. */
export function secretsInDotenv(text: string): Array<{ value: string; kind: string }> {
  const found: Array<{ value: string; kind: string }> = [];
  for (const line of text.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[2]) continue;
    const value = match[2].replace(/^(['"])(.*)\1$/, '$2');
    if (value) found.push({ value, kind: 'env-file' });
  }
  return found;
}
