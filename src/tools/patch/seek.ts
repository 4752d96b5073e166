/**
 * Where a run of lines occurs, tolerating what models get wrong about whitespace. Like Codex's
 * seek_sequence, each level is tried over the whole range before the next looser one, so an exact
 * match always wins over a fuzzy one.
 */
const LEVELS: ReadonlyArray<(line: string) => string> = [
  (line) => line,
  (line) => line.trimEnd(),
  (line) => line.trim(),
  (line) => normalisePunctuation(line.trim()),
];

export interface Seek {
  /** 0 = exact, 1 = trailing whitespace ignored, 2 = both ends ignored, 3 = typographic punctuation too. */
  level: number;
  /** Every 0-based start index at that level, ascending. */
  indexes: number[];
}

/** All positions at or after `start` where `pattern` matches `lines`, at the strictest level that matches. */
export function seekAll(
  lines: readonly string[],
  pattern: readonly string[],
  start: number,
): Seek | undefined {
  if (pattern.length === 0 || pattern.length > lines.length) return undefined;
  for (const [level, norm] of LEVELS.entries()) {
    const wanted = pattern.map(norm);
    const indexes: number[] = [];
    for (let i = Math.max(0, start); i + wanted.length <= lines.length; i++) {
      if (wanted.every((line, j) => norm(lines[i + j] ?? '') === line)) indexes.push(i);
    }
    if (indexes.length > 0) return { level, indexes };
  }
  return undefined;
}

/** Whether `pattern` matches exactly at `index`, at any level. */
export function matchesAt(lines: readonly string[], pattern: readonly string[], index: number): boolean {
  if (index < 0 || index + pattern.length > lines.length) return false;
  return LEVELS.some((norm) => pattern.every((line, j) => norm(lines[index + j] ?? '') === norm(line)));
}

/** Models often type ASCII where the file has typographic dashes, quotes or non-breaking spaces. */
function normalisePunctuation(line: string): string {
  return line
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019\u201A\u201B]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F]/g, '"')
    .replace(/[\u00A0\u2002-\u200A\u202F\u205F\u3000]/g, ' ');
}
