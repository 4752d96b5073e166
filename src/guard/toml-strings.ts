/**
 * TOML's four string forms, read from `text` at `pos` (the opening quote): each returns the value
 * and the position after the closing quote, or throws TomlError for the reader to turn into an
 * error value with a line number.
 */

export class TomlError extends Error {}

export type StringRead = { value: string; end: number };

const ESCAPES: Record<string, string> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\x1b',
  '"': '"',
  '\\': '\\',
};

export function basicString(text: string, pos: number): StringRead {
  let at = pos + 1;
  let value = '';
  for (;;) {
    const c = text[at];
    if (c === undefined || c === '\n') throw new TomlError('unterminated string');
    at += 1;
    if (c === '"') return { value, end: at };
    if (c !== '\\') value += c;
    else {
      const escaped = escapeAt(text, at);
      value += escaped.value;
      at = escaped.end;
    }
  }
}

export function multilineBasic(text: string, pos: number): StringRead {
  let at = skipFirstNewline(text, pos + 3);
  let value = '';
  for (;;) {
    if (at >= text.length) throw new TomlError('unterminated """ string');
    if (text.startsWith('"""', at)) {
      // Up to two quotes may end the content right before the closing delimiter.
      let end = at + 3;
      while (text[end] === '"' && end - at < 5) end += 1;
      return { value: value + '"'.repeat(end - at - 3), end };
    }
    const c = text[at] as string;
    at += 1;
    if (c !== '\\') value += c;
    else if (lineEndsAt(text, at)) {
      // A line-ending backslash trims the newline and the whitespace after it.
      while (/[ \t\r\n]/.test(text[at] ?? '')) at += 1;
    } else {
      const escaped = escapeAt(text, at);
      value += escaped.value;
      at = escaped.end;
    }
  }
}

export function literalString(text: string, pos: number): StringRead {
  const end = text.indexOf("'", pos + 1);
  const newline = text.indexOf('\n', pos + 1);
  if (end < 0 || (newline >= 0 && newline < end)) throw new TomlError('unterminated string');
  return { value: text.slice(pos + 1, end), end: end + 1 };
}

export function multilineLiteral(text: string, pos: number): StringRead {
  const start = skipFirstNewline(text, pos + 3);
  let end = text.indexOf("'''", start);
  if (end < 0) throw new TomlError("unterminated ''' string");
  // Up to two quotes may end the content right before the closing delimiter.
  for (let extra = 0; extra < 2 && text[end + 3] === "'"; extra++) end += 1;
  return { value: text.slice(start, end), end: end + 3 };
}

const LINE_END = /[ \t]*\r?\n/y;

function lineEndsAt(text: string, at: number): boolean {
  LINE_END.lastIndex = at;
  return LINE_END.test(text);
}

/** A newline right after the opening delimiter is not part of the string. */
function skipFirstNewline(text: string, at: number): number {
  if (text.startsWith('\r\n', at)) return at + 2;
  return text[at] === '\n' ? at + 1 : at;
}

/** The escape after a backslash, `at` being the character after it. */
function escapeAt(text: string, at: number): StringRead {
  const c = text[at] ?? '';
  if (Object.hasOwn(ESCAPES, c)) return { value: ESCAPES[c] as string, end: at + 1 };
  const digits = c === 'u' ? 4 : c === 'U' ? 8 : c === 'x' ? 2 : 0;
  const hex = text.slice(at + 1, at + 1 + digits);
  if (digits === 0 || !new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex))
    throw new TomlError(`invalid escape "\\${c}"`);
  const code = Number.parseInt(hex, 16);
  if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
    throw new TomlError(`invalid escape "\\${c}${hex}"`);
  return { value: String.fromCodePoint(code), end: at + 1 + digits };
}
