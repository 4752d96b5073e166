import { parse, TomlError, type TomlTable, type TomlValue } from 'smol-toml';

/**
 * Cargo.toml and pyproject.toml are read with smol-toml, a maintained TOML parser that passes
 * the official toml-test suite: a reader of our own that disagreed with Cargo's or uv's on some
 * corner of the grammar could hide a dependency from the check.
 */

export type { TomlTable, TomlValue };

/** The names a manifest holds, or why it cannot be read (then what it adds is unknown). */
export type ManifestNames = { ok: true; names: string[] } | { ok: false; error: string };

export function readManifestToml(
  text: string,
): { ok: true; value: TomlTable } | { ok: false; error: string } {
  try {
    return { ok: true, value: parse(text, { integersAsBigInt: 'asNeeded' }) };
  } catch (error) {
    // smol-toml's message is "Invalid TOML document: <what>" followed by a code excerpt. Any other
    // throw (a parser fault) is the same answer: this manifest's dependencies are unknown.
    const what = String((error as Error).message)
      .split('\n')[0]
      ?.replace(/^Invalid TOML document:\s*/, '');
    const where = error instanceof TomlError ? `line ${error.line}, column ${error.column}: ` : '';
    return { ok: false, error: `not valid TOML (${where}${what})` };
  }
}

/** A table, never an array, a date or a scalar. */
export function table(value: TomlValue | undefined): TomlTable | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
    ? (value as TomlTable)
    : undefined;
}

/** The value's items when it is an array; a single value as one item (for `a = x` or `a = [x, y]`). */
export function items(value: TomlValue | undefined): TomlValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
