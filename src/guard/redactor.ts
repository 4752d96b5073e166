import { findSecrets } from './find-secrets.ts';
import { looksRandom as looksLikeKey } from './known-forms.ts';
import { createKnownMatcher, type KnownMatch, type KnownMatcher } from './known-matcher.ts';
import { locateFindings, type RedactionFinding } from './redaction-findings.ts';
import { viewsOf } from './redaction-views.ts';

/**
 * The one redactor on every path out of Warden's process: toward the model, the audit log, events
 * and the terminal. Known secret values (keys Warden holds, values from `.env` files) are replaced
 * in every form a command can print them in (see known-forms.ts); other secrets are found by their
 * shape. Each distinct secret gets a stable placeholder
 * such as `«secret:aws-access-key#1»`, so the model can still reason about "the key".
 */
export interface Redactor {
  redact(text: string): string;
  /** Redacts every string inside a JSON-like value, object keys included. */
  redactValue<T>(value: T): T;
  /**
   * Adds values to replace from now on, in every form (shorter than 8 characters are ignored):
   * reversed, ROT13, hex, base64 at any alignment, URL-encoded, and pieces of 10+ characters.
   */
  addKnown(values: Iterable<{ value: string; kind: string }>): void;
  /** What `redact` would replace in `text`, where, and by which rule (`warden redact --json`). */
  findings(text: string): RedactionFinding[];
  /** The kind of a known key (a random-looking value, not a word) that `text` holds in any form. */
  knownKeyIn(text: string): string | undefined;
}

const MIN_KNOWN_LENGTH = 8;

export function createRedactor(): Redactor {
  const known = new Map<string, string>(); // value -> kind
  const placeholders = new Map<string, string>(); // value -> placeholder
  const counters = new Map<string, number>();
  const valuesOf = new Map<string, string>(); // placeholder -> value, to locate findings
  // Built on first use after a change: sessions add values several times before any text comes.
  let knownMatcher: KnownMatcher | undefined;

  const placeholder = (value: string, kind: string): string => {
    const existing = placeholders.get(value);
    if (existing) return existing;
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    const made = `«secret:${kind}#${n}»`;
    placeholders.set(value, made);
    valuesOf.set(made, value);
    return made;
  };

  const findKnown = (text: string): KnownMatch[] => {
    if (known.size === 0) return [];
    knownMatcher ??= createKnownMatcher([...known].map(([value, kind]) => ({ value, kind })));
    return knownMatcher.find(text);
  };

  const redactKnown = (text: string, matches = findKnown(text)): string => {
    if (matches.length === 0) return text;
    let out = '';
    let at = 0;
    for (const match of matches) {
      out += text.slice(at, match.start) + placeholder(match.value, match.kind);
      at = match.end;
    }
    return out + text.slice(at);
  };

  const redactPlain = (text: string): string => {
    const out = redactKnown(text);
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

  /** Secrets that only another reading of the text shows (redaction-views.ts), replaced where they stand. */
  const redactViews = (text: string): string => {
    let out = text;
    for (const view of viewsOf(out)) {
      const spans: Array<{ start: number; end: number; made: string }> = [];
      // A view may reorder (od -x swaps bytes): the span is all its characters came from.
      const add = (start: number, end: number, made: string) => {
        let from = Number.POSITIVE_INFINITY;
        let to = 0;
        for (let i = start; i < end; i++) {
          from = Math.min(from, view.from[i] as number);
          to = Math.max(to, view.to[i] as number);
        }
        const lineEnd = view.toLineEnd ? out.indexOf('\n', to) : -1;
        spans.push({ start: from, end: view.toLineEnd ? (lineEnd < 0 ? out.length : lineEnd) : to, made });
      };
      for (const match of findKnown(view.text))
        add(match.start, match.end, placeholder(match.value, match.kind));
      for (const { rule, start, end } of findSecrets(view.text)) {
        const secret = view.text.slice(start, end);
        // A placeholder from the first pass is not a secret (`://app:«secret:…»@` decoded again).
        if (!secret.includes('«secret:')) add(start, end, placeholder(secret, rule.id));
      }
      if (spans.length === 0) continue;
      spans.sort((a, b) => a.start - b.start || b.end - a.end);
      let rebuilt = '';
      let at = 0;
      for (const span of spans) {
        if (span.start < at) continue;
        rebuilt += out.slice(at, span.start) + span.made;
        at = span.end;
      }
      out = rebuilt + out.slice(at);
    }
    return out;
  };

  const redact = (text: string): string => (text ? redactViews(redactPlain(text)) : text);

  const redactValue = <T>(value: T): T => redactStrings(value, redact);

  return {
    redact,
    redactValue,
    knownKeyIn(text) {
      return findKnown(text).find((match) => looksLikeKey(match.value))?.kind;
    },
    findings(text) {
      const matches = findKnown(text);
      return locateFindings(
        matches,
        redactKnown(text, matches),
        redact(text),
        (match) => placeholder(match.value, match.kind),
        (made) => valuesOf.get(made),
      );
    },
    addKnown(values) {
      for (const { value, kind } of values) {
        // The last kind given names it (a broker credential that is also in the environment).
        if (value.length >= MIN_KNOWN_LENGTH && known.get(value) !== kind) {
          known.set(value, kind);
          knownMatcher = undefined;
        }
      }
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

/** Every string of a JSON value through `redact`, keys too: a tool's arguments or a parsed file can put a secret in a key. */
export function redactStrings<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((item) => redactStrings(item, redact)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [redact(key), redactStrings(inner, redact)]),
    ) as T;
  return value;
}
