/**
 * What a lenient MCP server could read an argument as, where it wants a boolean or a number. Servers
 * coerce: pydantic 2 in lax mode (FastMCP) reads `"yes"`, `"on"`, `1` as True and `" 01"`, `"1.0"`,
 * `"1_0"`, `true` as numbers; zod's `z.coerce` is `Boolean(x)` and `Number(x)`, `z.stringbool()`
 * knows `"enabled"`/`"disabled"`; ajv with `coerceTypes: "array"` unwraps `[x]` and reads null as
 * 0; hand-written code uses truthiness, `parseInt`, Python's `int()` (any script's digits, a
 * float truncated).
 *
 * A rule that refuses must catch every such spelling, so an argument's readings are the union of
 * what each of those readers makes of it: `"true"`/`"false"` and numbers as JSON text (`1`, `2.5`).
 * A value can read several ways (`"false"` is false to pydantic, true to `Boolean`); reading more
 * than any one server does only refuses more.
 */

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on', 't', 'y', 'enabled']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off', 'f', 'n', 'disabled']);

/** The boolean and number readings of one argument value (parsed JSON), as canonical JSON text. */
export function lenientReadings(value: unknown): string[] {
  const out = new Set<string>();
  for (const b of booleans(value)) out.add(String(b));
  for (const n of numbers(value)) if (Number.isFinite(n)) out.add(JSON.stringify(n));
  return [...out];
}

function booleans(value: unknown): boolean[] {
  // JavaScript's truthiness (z.coerce.boolean, `if (args.force)`) and Python's, where empty lists and objects are false.
  const out = [Boolean(value)];
  if (value !== null && typeof value === 'object' && Object.keys(value).length === 0) out.push(false);
  if (typeof value === 'string') {
    const word = strip(value).toLowerCase();
    if (TRUE_WORDS.has(word)) out.push(true);
    if (FALSE_WORDS.has(word)) out.push(false);
  }
  if (Array.isArray(value) && value.length === 1) out.push(...booleans(value[0]));
  return out;
}

function numbers(value: unknown): number[] {
  // Python's int() truncates a float; parseInt reads a number's text (1e21 as 1).
  if (typeof value === 'number') return [value, Math.trunc(value), ...numbers(String(value))];
  if (typeof value === 'boolean') return [value ? 1 : 0];
  if (value === null) return [0];
  if (typeof value === 'string')
    return [
      Number(value),
      Number(pythonic(value)),
      // biome-ignore lint/correctness/useParseIntRadix: without a radix, as servers call it, "0x1f" is 31
      Number.parseInt(value),
      Number.parseFloat(value),
    ];
  if (Array.isArray(value) && value.length === 0) return [0];
  if (Array.isArray(value) && value.length === 1) return numbers(value[0]);
  return [];
}

/**
 * The text as Python's `int()`/`float()` and pydantic would read it, in a form `Number` reads the
 * same way: Unicode spaces stripped, any script's decimal digits as ASCII, `_` between digits gone.
 */
function pythonic(text: string): string {
  const stripped = strip(text);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: an ASCII test
  const ascii = /^[\x00-\x7f]*$/.test(stripped) ? stripped : stripped.replace(/\p{Nd}/gu, asciiDigit);
  return ascii.replace(/(?<=\d)_(?=\d)/g, '');
}

/** Python's and JavaScript's whitespace both: Python strips \x1c-\x1f and \x85 too, JavaScript \ufeff. */
function isSpace(c: string): boolean {
  const code = c.charCodeAt(0);
  return (code >= 0x1c && code <= 0x1f) || code === 0x85 || /^\s$/.test(c);
}

function strip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charAt(start))) start++;
  while (end > start && isSpace(text.charAt(end - 1))) end--;
  return text.slice(start, end);
}

const digitValues = new Map<number, string>();
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/** Unicode keeps each script's digits 0 to 9 in a run of ten code points (some runs adjoin). */
function asciiDigit(digit: string): string {
  const code = digit.codePointAt(0) as number;
  let known = digitValues.get(code);
  if (known === undefined) {
    let start = code;
    while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
    known = String((code - start) % 10);
    digitValues.set(code, known);
  }
  return known;
}
