/**
 * A secret rule is data: the literal keywords that must occur for it to match (the prefilter's
 * keys), a regular expression whose group `secret` is the value to hide, optional checks on that
 * value, and the documented format the corpus test generates samples from.
 */
export interface SecretRule {
  /** Names the kind in placeholders: `«secret:<id>#1»`. */
  readonly id: string;
  /** Lower-case literals; every text the pattern matches contains one of them on the match's line. */
  readonly keywords: readonly string[];
  /** Global, with the named group `secret`. */
  readonly pattern: RegExp;
  /** Bits per character the value must reach: random keys do, placeholders and words do not. */
  readonly minEntropy?: number;
  /** A last look at the value (and the whole match) before it counts. */
  readonly validate?: (secret: string, match: string) => boolean;
  /**
   * Every match begins where one of the keywords begins (a token's prefix, the name a value is
   * assigned to), so the pattern is tried only there, and may run across lines (a private key);
   * otherwise the pattern runs on the lines holding a keyword, and a match stays on its line.
   */
  readonly anchored?: boolean;
  readonly sample: Sample;
}

/** The documented shape of a value, to write both a rule's pattern and its generated samples. */
export type Part = string | Chars | OneOf;
export interface Chars {
  readonly set: Charset;
  /** An exact length or an inclusive range; `Infinity` as the upper bound for open-ended values. */
  readonly length: number | readonly [number, number];
}
export interface OneOf {
  readonly oneOf: readonly string[];
}

export interface Sample {
  /** Text around the secret that belongs to its form (`postgres://app:` … `@db`). */
  readonly before?: readonly Part[];
  readonly secret: readonly Part[];
  readonly after?: readonly Part[];
  /** Names the value is assigned to in generated contexts; rules that need a name nearby list theirs. */
  readonly names?: readonly string[];
  /** Turns the generated value into the real form: a checksum appended, base64 applied. */
  readonly finish?: (value: string) => string;
}

export interface Charset {
  readonly chars: string;
  /** The regular-expression class: `[A-Za-z0-9]`. */
  readonly cls: string;
}

/** `A-Za-z0-9_-`: ranges and single characters, a literal `-` only at the end. */
export function charset(ranges: string): Charset {
  let chars = '';
  for (let i = 0; i < ranges.length; i++) {
    const from = ranges.charCodeAt(i);
    if (ranges[i + 1] === '-' && i + 2 < ranges.length) {
      const to = ranges.charCodeAt(i + 2);
      for (let c = from; c <= to; c++) chars += String.fromCharCode(c);
      i += 2;
    } else chars += ranges[i];
  }
  return { chars, cls: `[${ranges.replace(/[\\\]^]/g, '\\$&')}]` };
}

export const DIGIT = charset('0-9');
export const HEX = charset('0-9a-f');
export const HEX_UPPER = charset('0-9A-F');
export const LOWER = charset('a-z');
export const ALPHA = charset('A-Za-z');
export const ALNUM = charset('A-Za-z0-9');
export const LOWER_ALNUM = charset('a-z0-9');
export const UPPER_ALNUM = charset('A-Z0-9');
export const BASE32 = charset('A-Z2-7');
export const BASE64 = charset('A-Za-z0-9+/');
export const BASE64URL = charset('A-Za-z0-9_-');
/** Base64 with its padding, for values whose end is not fixed. */
export const BASE64_PADDED = charset('A-Za-z0-9+/=');
export const WORD = charset('A-Za-z0-9_');

export const chars = (set: Charset, length: number | readonly [number, number]): Chars => ({ set, length });
export const oneOf = (...options: string[]): OneOf => ({ oneOf: options });
/** What a sample's fixed text looks like once a provider base64-encodes it (a key's body, a header). */
export const base64 = (text: string): string => Buffer.from(text).toString('base64');
export const UUID: readonly Part[] = [
  chars(HEX, 8),
  '-',
  chars(HEX, 4),
  '-',
  chars(HEX, 4),
  '-',
  chars(HEX, 4),
  '-',
  chars(HEX, 12),
];

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

export function partSource(part: Part): string {
  if (typeof part === 'string') return escapeRegex(part);
  // Longest first: an alternation takes the first option that fits, and `-1` must beat ``.
  if ('oneOf' in part)
    return `(?:${[...part.oneOf]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegex)
      .join('|')})`;
  const { length } = part;
  if (typeof length === 'number') return `${part.set.cls}{${length}}`;
  const [min, max] = length;
  return `${part.set.cls}{${min},${Number.isFinite(max) ? max : OPEN_END}}`;
}

/**
 * Where an open-ended value stops: past every real token, and short enough that a text of one
 * endless run (`sk-sk-sk-…`) costs each keyword hit a bounded scan instead of the rest of the run.
 */
const OPEN_END = 4096;

export const formatSource = (parts: readonly Part[]): string => parts.map(partSource).join('');

const ALNUM_CLS = '[A-Za-z0-9]';
/** Nor a base64 character: `…+AKIA…` inside an image or a hash is not a key's start. */
const NOT_IN_BASE64 = '(?<![A-Za-z0-9+/])';

/** Whatever the value's first part may start with must not come just before it. */
function startBoundary(part: Part | undefined): string {
  if (part === undefined) return '';
  if (typeof part === 'string') return /^[A-Za-z0-9]/.test(part) ? NOT_IN_BASE64 : '';
  if ('oneOf' in part) return part.oneOf.every((o) => /^[A-Za-z0-9]/.test(o)) ? NOT_IN_BASE64 : '';
  return `(?<!${part.set.cls})`;
}

/**
 * …nor continue it: a value cut short is not the value. An open-ended part is greedy and stops
 * only where its alphabet does (or, past any real token, at its cap: better most than none).
 */
function endBoundary(part: Part | undefined): string {
  if (part === undefined) return '';
  if (
    typeof part === 'object' &&
    'set' in part &&
    typeof part.length !== 'number' &&
    !Number.isFinite(part.length[1])
  )
    return '';
  if (typeof part === 'string') return /[A-Za-z0-9]$/.test(part) ? `(?!${ALNUM_CLS})` : '';
  if ('oneOf' in part) return part.oneOf.every((o) => /[A-Za-z0-9]$/.test(o)) ? `(?!${ALNUM_CLS})` : '';
  return `(?!${part.set.cls})`;
}

/** The value's pattern between boundaries, captured as `secret`. */
export function secretSource(parts: readonly Part[], start = startBoundary(parts[0])): string {
  return `${start}(?<secret>${formatSource(parts)})${endBoundary(parts.at(-1))}`;
}

interface Options {
  keywords?: readonly string[];
  minEntropy?: number;
  validate?: (secret: string, match: string) => boolean;
  /** A sample unlike the pattern's format: one with a checksum the pattern does not check. */
  sample?: Sample;
}

/**
 * A token that names itself: a provider prefix (`ghp_`, `xoxb-`, `dop_v1_`) or a fixed marker
 * inside it. The keywords default to the leading literal, lower-cased.
 */
export function prefixed(id: string, format: readonly Part[], options: Options = {}): SecretRule {
  const first = format[0];
  const leading = typeof first === 'string' ? [first] : first && 'oneOf' in first ? first.oneOf : [];
  const keywords = options.keywords ?? leading.map((k) => k.toLowerCase());
  return {
    id,
    keywords,
    pattern: new RegExp(secretSource(format), 'g'),
    // Anchored when each way the value can begin starts with a keyword: the match starts at the hit.
    anchored:
      leading.length > 0 &&
      leading.every((option) => keywords.some((k) => option.toLowerCase().startsWith(k))),
    ...(options.minEntropy !== undefined && { minEntropy: options.minEntropy }),
    ...(options.validate && { validate: options.validate }),
    sample: options.sample ?? { secret: format },
  };
}

/**
 * What sits between a name and its value: `NAME=v`, `name: v`, `"name": "v"`, `name := "v"`,
 * `'name' => 'v'`, `--name v`, `<Name>v<`, with JSON's escaped quotes too.
 */
export const ASSIGN = `(?:\\\\?["'\`])?[ \\t]{0,4}(?:[:=]{1,3}>?|\\?=|>|[ \\t])[ \\t]{0,4}(?:\\\\?["'\`])?`;

/**
 * `MEILISEARCH_API_KEY`, `finicityClientSecret`, `api-token-name`: what a name is assigned in code
 * and docs is often another name. Random keys are not runs of words.
 */
function isIdentifier(value: string): boolean {
  return /^(?:[A-Z]+(?:_[A-Z]+)+|[a-z]+(?:[A-Z][a-z]+)+|[a-z]+(?:[_-][a-z]+)+)$/.test(value);
}

interface AssignedOptions extends Options {
  keywords: readonly string[];
  /** Example names for samples; each holds a keyword. */
  names: readonly string[];
  /** A name pattern narrower than "any name holding a keyword", case-insensitive. */
  name?: string;
  /** The value may read like words: Apple's app-specific passwords are `xxxx-xxxx-xxxx-xxxx`. */
  wordLike?: boolean;
}

/**
 * A value whose shape alone says little (32 hex digits, 40 letters), so it counts only when
 * assigned to a name that says whose it is: `TWILIO_AUTH_TOKEN=…`, `"datadog_api_key": "…"`.
 */
export function assigned(id: string, value: readonly Part[], options: AssignedOptions): SecretRule {
  const name = options.name ?? options.keywords.map(escapeRegex).join('|');
  return {
    id,
    keywords: options.keywords,
    // No boundary before the value: the name and the assignment are its left edge.
    pattern: new RegExp(`(?i:${name})[\\w.-]{0,40}?${ASSIGN}${secretSource(value, '')}`, 'g'),
    // The name pattern begins with a keyword (the default name is the keywords themselves).
    anchored: true,
    minEntropy: options.minEntropy ?? 3,
    validate: (secret, match) =>
      (options.wordLike || !isIdentifier(secret)) && (options.validate?.(secret, match) ?? true),
    sample: options.sample ?? { secret: value, names: options.names },
  };
}
