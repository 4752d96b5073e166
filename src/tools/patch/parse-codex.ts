import type { FileOp, Hunk, HunkLine, Parsed, Patch } from './types.ts';

const BEGIN = '*** Begin Patch';
const END = '*** End Patch';
const ADD = '*** Add File: ';
const DELETE = '*** Delete File: ';
const UPDATE = '*** Update File: ';
const MOVE = '*** Move to: ';
const END_OF_FILE = '*** End of File';

/**
 * The Codex apply_patch format, parsed as leniently as Codex itself: marker lines may carry stray
 * whitespace, a heredoc wrapper (`<<'EOF'` … `EOF`) is dropped, blank lines between hunks are
 * skipped, and the first hunk of a file may omit its `@@`.
 */
export function parseCodexPatch(text: string): Parsed<Patch> {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  let first = 0;
  let last = lines.length - 1;
  while (first <= last && (lines[first] ?? '').trim() === '') first++;
  while (last >= first && (lines[last] ?? '').trim() === '') last--;
  const heredoc = /^<<\s*['"]?(\w+)['"]?$/.exec((lines[first] ?? '').trim());
  if (heredoc && (lines[last] ?? '').trim() === heredoc[1]) {
    first++;
    last--;
  }
  if ((lines[first] ?? '').trim() !== BEGIN) return fail(first, `the patch must start with "${BEGIN}"`);
  if ((lines[last] ?? '').trim() !== END) return fail(last, `the patch must end with "${END}"`);

  const ops: FileOp[] = [];
  let i = first + 1;
  while (i < last) {
    const line = lines[i] ?? '';
    const marker = line.trim();
    if (marker === '') {
      i++;
    } else if (marker.startsWith(ADD)) {
      const path = marker.slice(ADD.length).trim();
      const content: string[] = [];
      i++;
      while (i < last && (lines[i] ?? '').startsWith('+')) content.push((lines[i++] ?? '').slice(1));
      ops.push({ kind: 'add', path, lines: content });
    } else if (marker.startsWith(DELETE)) {
      ops.push({ kind: 'delete', path: marker.slice(DELETE.length).trim() });
      i++;
    } else if (marker.startsWith(UPDATE)) {
      const path = marker.slice(UPDATE.length).trim();
      i++;
      let moveTo: string | undefined;
      if ((lines[i] ?? '').trim().startsWith(MOVE))
        moveTo = (lines[i++] ?? '').trim().slice(MOVE.length).trim();
      const parsed = parseHunks(lines, i, last, path);
      if (!parsed.ok) return parsed;
      i = parsed.value.next;
      ops.push({ kind: 'update', path, ...(moveTo ? { moveTo } : {}), hunks: parsed.value.hunks });
    } else {
      return fail(i, `expected "${ADD}", "${DELETE}" or "${UPDATE}" but found ${JSON.stringify(line)}`);
    }
  }
  for (const op of ops) {
    if (op.path === '') return { ok: false, error: 'a file header names no path' };
  }
  if (ops.length === 0) return { ok: false, error: 'the patch changes no files' };
  return { ok: true, value: { format: 'codex', ops } };
}

function parseHunks(
  lines: string[],
  start: number,
  end: number,
  path: string,
): Parsed<{ hunks: Hunk[]; next: number }> {
  const hunks: Hunk[] = [];
  let i = start;
  while (i < end) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      i++;
      continue;
    }
    if (line.startsWith('***')) break;
    let anchor: string | undefined;
    if (line.trim() === '@@') {
      i++;
    } else if (line.startsWith('@@ ')) {
      anchor = line.slice(3);
      i++;
    } else if (hunks.length > 0) {
      return fail(i, `in ${path}: expected "@@" to start the next hunk but found ${JSON.stringify(line)}`);
    }
    const body: HunkLine[] = [];
    let endOfFile = false;
    while (i < end) {
      const current = lines[i] ?? '';
      if (current.trim() === END_OF_FILE) {
        endOfFile = true;
        i++;
        break;
      }
      if (current.startsWith('@@') || current.startsWith('***')) break;
      const op = current[0];
      if (op === ' ' || op === '-' || op === '+') body.push({ op, text: current.slice(1) });
      // A blank line is a context line whose leading space an editor stripped, or a separator
      // between hunks; apply-hunks drops trailing ones when they are what fails to match.
      else if (current === '') body.push({ op: ' ', text: '' });
      else if (body.length > 0) break;
      else
        return fail(
          i,
          `in ${path}: a hunk line must start with " ", "-" or "+", found ${JSON.stringify(current)}`,
        );
      i++;
    }
    if (body.length === 0) return fail(i, `in ${path}: hunk ${hunks.length + 1} has no lines`);
    hunks.push({ ...(anchor === undefined ? {} : { anchor }), lines: body, endOfFile });
  }
  if (hunks.length === 0) return fail(i, `"${UPDATE}${path}" has no hunks; add @@ and the lines to change`);
  return { ok: true, value: { hunks, next: i } };
}

function fail<T>(index: number, message: string): Parsed<T> {
  return { ok: false, error: `patch line ${index + 1}: ${message}` };
}
