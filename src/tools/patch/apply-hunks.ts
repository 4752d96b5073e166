import { matchesAt, seekAll } from './seek.ts';
import type { Hunk, HunkLine, Parsed } from './types.ts';

/** Lines of the failed context shown in an error; enough to recognise, not a flood. */
const MAX_CONTEXT_SHOWN = 20;

interface Lines {
  text: string[];
  /** Each line's own terminator ('\n', '\r\n', or '' for a last line without one). */
  eol: string[];
  /** The file's usual terminator, given to lines the patch adds. */
  usual: string;
  finalNewline: boolean;
}

interface Replacement {
  at: number;
  remove: number;
  /** New lines; a kept context line brings the file's own text and ending along. */
  insert: Array<{ text: string; eol?: string }>;
}

/**
 * The new text of a file after its hunks, or an error naming the hunk and the lines that did not
 * match. Pure: the caller reads and writes. Lines outside the hunks keep their bytes, including
 * their line endings; lines the patch adds take the file's usual ending.
 *
 * Where a hunk goes: Codex hunks are found in order, each after the previous one (and after its
 * `@@` anchor line), and must match in one place only unless anchored; unified hunks go to the
 * match nearest the line their header states.
 */
export function applyHunks(path: string, original: string, hunks: readonly Hunk[]): Parsed<string> {
  const file = splitLines(original);
  const replacements: Replacement[] = [];
  let cursor = 0;
  for (const [k, hunk] of hunks.entries()) {
    const label = `${path}: hunk ${k + 1} of ${hunks.length}`;
    if (hunk.anchor !== undefined && hunk.anchor.trim() !== '') {
      const found = seekAll(file.text, [hunk.anchor], cursor);
      const at = found?.indexes[0];
      if (at === undefined) {
        return fail(`${label}: the @@ line ${JSON.stringify(hunk.anchor)} was not found${after(cursor)}`);
      }
      cursor = at + 1;
    }
    let body = hunk.lines;
    let oldLines = oldSide(body);

    if (oldLines.length === 0) {
      // Pure insertion: after the anchor, at the stated line, or at the end as Codex does.
      const at =
        hunk.anchor !== undefined
          ? cursor
          : hunk.oldStart !== undefined
            ? Math.min(Math.max(hunk.oldStart, cursor), file.text.length)
            : file.text.length;
      replacements.push({ at, remove: 0, insert: body.map((line) => ({ text: line.text })) });
      cursor = at;
      continue;
    }

    let at = locate(file.text, oldLines, cursor, hunk);
    // Blank lines between hunks read as empty context; drop them when they are what fails to match.
    if (at.kind === 'missing' && oldLines.at(-1) === '' && body.at(-1)?.op === ' ') {
      const trimmed = withoutTrailingBlankContext(body);
      const retry = locate(file.text, oldSide(trimmed), cursor, hunk);
      if (retry.kind !== 'missing') {
        at = retry;
        body = trimmed;
        oldLines = oldSide(trimmed);
      }
    }
    if (at.kind === 'missing') {
      const where = hunk.endOfFile ? ' at the end of the file' : after(cursor);
      return fail(`${label}: these lines were not found${where}:\n${show(oldLines)}\n${REREAD}`);
    }
    if (at.kind === 'ambiguous') {
      const places = at.indexes.map((i) => i + 1).join(', ');
      return fail(
        `${label}: these lines match at ${at.indexes.length} places (lines ${places}):\n${show(oldLines)}\nAdd more unchanged context lines, or an "@@ <line>" anchor naming the enclosing function or class, so the hunk matches one place.`,
      );
    }
    // Context lines keep the file's bytes: a fuzzy match must not rewrite what the patch meant to keep.
    const insert: Replacement['insert'] = [];
    let source = at.index;
    for (const line of body) {
      if (line.op === ' ') {
        insert.push({ text: file.text[source] ?? line.text, eol: file.eol[source] ?? file.usual });
      } else if (line.op === '+') insert.push({ text: line.text });
      if (line.op !== '+') source++;
    }
    replacements.push({ at: at.index, remove: oldLines.length, insert });
    cursor = at.index + oldLines.length;
  }
  return { ok: true, value: joinLines(file, replacements, hunks) };
}

type Location =
  | { kind: 'found'; index: number }
  | { kind: 'missing' }
  | { kind: 'ambiguous'; indexes: number[] };

function locate(lines: string[], pattern: string[], cursor: number, hunk: Hunk): Location {
  if (hunk.endOfFile) {
    const index = lines.length - pattern.length;
    return index >= cursor && matchesAt(lines, pattern, index)
      ? { kind: 'found', index }
      : { kind: 'missing' };
  }
  const found = seekAll(lines, pattern, cursor);
  if (!found) return { kind: 'missing' };
  const [first] = found.indexes;
  if (first === undefined) return { kind: 'missing' };
  if (hunk.oldStart !== undefined) {
    const expected = hunk.oldStart - 1;
    let best = first;
    for (const index of found.indexes) {
      if (Math.abs(index - expected) < Math.abs(best - expected)) best = index;
    }
    return { kind: 'found', index: best };
  }
  if (found.indexes.length > 1 && hunk.anchor === undefined)
    return { kind: 'ambiguous', indexes: found.indexes };
  return { kind: 'found', index: first };
}

function oldSide(lines: readonly HunkLine[]): string[] {
  return lines.filter((line) => line.op !== '+').map((line) => line.text);
}

function withoutTrailingBlankContext(lines: readonly HunkLine[]): HunkLine[] {
  const kept = [...lines];
  while (kept.length > 0 && kept.at(-1)?.op === ' ' && kept.at(-1)?.text === '') kept.pop();
  return kept;
}

function splitLines(text: string): Lines {
  const parts = text.split('\n');
  const finalNewline = text.endsWith('\n');
  if (finalNewline || text === '') parts.pop();
  const eol: string[] = [];
  const lines: string[] = [];
  let crlf = 0;
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    const cr = part.endsWith('\r') && (!last || finalNewline);
    if (cr) crlf++;
    lines.push(cr ? part.slice(0, -1) : part);
    eol.push(last && !finalNewline ? '' : cr ? '\r\n' : '\n');
  }
  const usual = crlf * 2 > eol.filter((e) => e !== '').length ? '\r\n' : '\n';
  return { text: lines, eol, usual, finalNewline };
}

function joinLines(file: Lines, replacements: Replacement[], hunks: readonly Hunk[]): string {
  const text: string[] = [];
  const eol: string[] = [];
  let next = 0;
  for (const { at, remove, insert } of [...replacements].sort((a, b) => a.at - b.at)) {
    for (; next < at; next++) {
      text.push(file.text[next] ?? '');
      eol.push(file.eol[next] ?? file.usual);
    }
    for (const line of insert) {
      text.push(line.text);
      eol.push(line.eol ?? file.usual);
    }
    next = Math.max(next, at + remove);
  }
  for (; next < file.text.length; next++) {
    text.push(file.text[next] ?? '');
    eol.push(file.eol[next] ?? file.usual);
  }
  // Keep the file's final newline (or lack of one) unless a unified marker says otherwise.
  let finalNewline = file.finalNewline || file.text.length === 0;
  if (hunks.some((hunk) => hunk.newNoNewline)) finalNewline = false;
  else if (hunks.some((hunk) => hunk.oldNoNewline)) finalNewline = true;
  return text
    .map((line, i) => {
      if (i < text.length - 1) return line + (eol[i] || file.usual);
      return line + (finalNewline ? eol[i] || file.usual : '');
    })
    .join('');
}

const REREAD =
  'Nothing was changed. Read the file again and copy the context (" ") and removed ("-") lines exactly.';

function show(lines: string[]): string {
  const shown = lines.slice(0, MAX_CONTEXT_SHOWN).map((line) => `  |${line}`);
  if (lines.length > MAX_CONTEXT_SHOWN) shown.push(`  … ${lines.length - MAX_CONTEXT_SHOWN} more lines`);
  return shown.join('\n');
}

function after(cursor: number): string {
  return cursor > 0 ? ` after line ${cursor} (hunks apply in order)` : '';
}

function fail(error: string): Parsed<string> {
  return { ok: false, error };
}
