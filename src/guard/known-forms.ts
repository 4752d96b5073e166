import { entropy } from './secret-rules/randomness.ts';

/**
 * The forms a known secret value can be shown in by a command an agent runs: reversed (`rev`),
 * ROT13 and case-shifted (`tr`), hex (`xxd -p`, `od`), base64 and base64url (`base64`, a JWT, a
 * Kubernetes secret). Each form is a string to look for in text; `piece` is how many characters
 * of it identify the value when only part of it appears (a value printed in halves, a hex dump
 * wrapped over lines, the value base64-encoded in the middle of a longer blob).
 */
export interface KnownForm {
  /** What transform made it: named in findings, never the value. */
  name: FormName;
  text: string;
  /** Characters of the form that count as a piece of the value, or undefined if only the whole counts. */
  piece: number | undefined;
}

export type FormName =
  | 'plain'
  | 'reversed'
  | 'rot13'
  | 'upper-case'
  | 'lower-case'
  | 'hex'
  | 'base64'
  | 'base64url';

/** A piece of a value this long, or longer, is taken for the value. */
export const PIECE_CHARS = 10;

/**
 * Every distinct form of one value. Pieces count only for values that look random: a piece of a
 * key is a key, but ten characters of `postgres://localhost:5432/app` are just `localhost:`.
 */
export function formsOf(value: string): KnownForm[] {
  const pieces = looksRandom(value);
  const bytes = Buffer.from(value, 'utf8');
  const piece = pieces ? PIECE_CHARS : undefined;
  // Ten bytes of the value: twenty hex digits, fourteen base64 characters.
  const hexPiece = pieces ? 2 * PIECE_CHARS : undefined;
  const base64Piece = pieces ? Math.ceil((PIECE_CHARS * 8) / 6) : undefined;
  const hex = bytes.toString('hex');
  const candidates: KnownForm[] = [
    { name: 'plain', text: value, piece },
    { name: 'reversed', text: [...value].reverse().join(''), piece },
    { name: 'rot13', text: rot13(value), piece },
    { name: 'upper-case', text: value.toUpperCase(), piece },
    { name: 'lower-case', text: value.toLowerCase(), piece },
    { name: 'hex', text: hex, piece: hexPiece },
    { name: 'hex', text: hex.toUpperCase(), piece: hexPiece },
  ];
  for (let lead = 0; lead < 3; lead++) {
    const inner = stableBase64(bytes, lead);
    candidates.push({ name: 'base64', text: inner, piece: base64Piece });
    candidates.push({
      name: 'base64url',
      text: inner.replace(/\+/g, '-').replace(/\//g, '_'),
      piece: base64Piece,
    });
  }
  const seen = new Set<string>();
  return candidates.filter((form) => {
    if (form.text.length < MIN_FORM_CHARS || seen.has(form.text)) return false;
    seen.add(form.text);
    return true;
  });
}

/** Shorter forms would match by chance (a value of 8 bytes still has 10 stable base64 characters). */
export const MIN_FORM_CHARS = 8;

/**
 * The base64 characters of `value` that are the same wherever it sits in a longer encoded stream
 * starting `lead` bytes before it (0, 1 or 2: every alignment). Character j encodes bits 6j..6j+5
 * of the stream; it is stable when all those bits come from the value's own bytes.
 */
export function stableBase64(value: Buffer, lead: number): string {
  const encoded = Buffer.concat([Buffer.alloc(lead), value]).toString('base64');
  const end = lead + value.length;
  let first = -1;
  let last = -1;
  for (let j = 0; j < encoded.length; j++) {
    const from = Math.floor((6 * j) / 8);
    const to = Math.floor((6 * j + 5) / 8);
    if (from >= lead && to < end) {
      if (first < 0) first = j;
      last = j;
    }
  }
  return first < 0 ? '' : encoded.slice(first, last + 1);
}

/**
 * A piece made only of letters with no four consonants in a row reads like a word (`ullRequest`
 * of a token named after what it does, `Production` of `MyCompanyProductionSecret2024`): it is
 * not taken for a piece of a key. A random key's 10-character piece reads like one 3% of the time,
 * a 20-character piece 0.05%.
 */
export function readsAsWord(piece: string): boolean {
  if (!/^[A-Za-z]+$/.test(piece)) return false;
  let run = 0;
  for (const c of piece.toLowerCase()) {
    run = 'aeiou'.includes(c) ? 0 : run + 1;
    if (run >= 4) return false;
  }
  return true;
}

function rot13(text: string): string {
  return text.replace(/[A-Za-z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/**
 * Keys are random: long, letters and digits mixed, many distinct characters, no words or paths.
 * `deepValue-0003` is not: ten characters of it (`pValue-000`) are also ten of `depValue-0004`.
 */
export function looksRandom(value: string): boolean {
  if (value.length < 16) return false;
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^[~.]?\//.test(value)) return false;
  return entropy(value) >= 3.5;
}
