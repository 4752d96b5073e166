import type { FileOp, Hunk, HunkLine, Parsed, Patch } from './types.ts';

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
const DEV_NULL = '/dev/null';

interface Section {
  gitOld?: string;
  gitNew?: string;
  renameFrom?: string;
  renameTo?: string;
  oldPath?: string;
  newPath?: string;
  hunks: Hunk[];
  line: number;
}

/**
 * Unified diffs as `diff -u` and `git diff` write them, several files per diff. Line counts in hunk
 * headers are not trusted (models miscount): a hunk runs until the next header, and its stated
 * start is kept only as a hint for where to look.
 */
export function parseUnifiedDiff(text: string): Parsed<Patch> {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const sections: Section[] = [];
  let section: Section | undefined;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.startsWith('diff --git ')) {
      const [gitOld, gitNew] = gitHeaderPaths(line.slice('diff --git '.length));
      section = { gitOld, gitNew, hunks: [], line: i };
      sections.push(section);
      i++;
    } else if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) {
      if (!section || section.oldPath !== undefined || section.hunks.length > 0) {
        section = { hunks: [], line: i };
        sections.push(section);
      }
      section.oldPath = headerPath(line.slice(4));
      section.newPath = headerPath((lines[i + 1] ?? '').slice(4));
      i += 2;
    } else if (line.startsWith('@@')) {
      if (!section || section.oldPath === undefined) {
        return fail(i, 'a hunk comes before any "--- a/path" / "+++ b/path" header naming its file');
      }
      const hunk = parseHunk(lines, i);
      if (!hunk.ok) return hunk;
      section.hunks.push(hunk.value.hunk);
      i = hunk.value.next;
    } else if (section && line.startsWith('rename from ')) {
      section.renameFrom = unquote(line.slice('rename from '.length));
      i++;
    } else if (section && line.startsWith('rename to ')) {
      section.renameTo = unquote(line.slice('rename to '.length));
      i++;
    } else if (line.startsWith('Binary files ') || line === 'GIT binary patch') {
      return fail(i, 'binary patches are not supported; write text files with write_file');
    } else if (line.startsWith('copy from ') || line.startsWith('copy to ')) {
      return fail(i, 'git copy headers are not supported; add the copy as a new file');
    } else if (section?.hunks.length && (line.startsWith('+') || line.startsWith('-'))) {
      // A hunk cut short by a line without a prefix; applying the rest would drop these silently.
      return fail(
        i,
        `${JSON.stringify(line)} is outside any hunk; every hunk line starts with " ", "-" or "+"`,
      );
    } else {
      // index lines, mode lines, similarity, "Index:", "=====", prose around the diff.
      i++;
    }
  }

  const ops: FileOp[] = [];
  for (const s of sections) {
    const op = toFileOp(s);
    if (!op.ok) return op;
    if (op.value) ops.push(op.value);
  }
  if (ops.length === 0)
    return { ok: false, error: 'the diff changes no files: no "--- " / "+++ " headers with hunks' };
  return { ok: true, value: { format: 'unified', ops } };
}

function toFileOp(s: Section): Parsed<FileOp | undefined> {
  let oldPath = s.oldPath;
  let newPath = s.newPath;
  if (oldPath !== undefined && newPath !== undefined) {
    [oldPath, newPath] = stripPrefixes(oldPath, newPath);
  }
  oldPath = s.renameFrom ?? oldPath ?? s.gitOld;
  newPath = s.renameTo ?? newPath ?? s.gitNew;
  if (oldPath === undefined || newPath === undefined)
    return fail(s.line, 'cannot tell which file this diff changes');
  if (oldPath === DEV_NULL) {
    const added: string[] = [];
    let noNewlineAtEnd = false;
    for (const hunk of s.hunks) {
      if (hunk.lines.some((line) => line.op !== '+')) {
        return fail(s.line, `the new file ${newPath} has lines not starting with "+"`);
      }
      added.push(...hunk.lines.map((line) => line.text));
      noNewlineAtEnd = hunk.newNoNewline === true;
    }
    return { ok: true, value: { kind: 'add', path: newPath, lines: added, noNewlineAtEnd } };
  }
  if (newPath === DEV_NULL) return { ok: true, value: { kind: 'delete', path: oldPath } };
  // A git header with only a mode change: nothing for us to write.
  if (s.hunks.length === 0 && oldPath === newPath) return { ok: true, value: undefined };
  return {
    ok: true,
    value: {
      kind: 'update',
      path: oldPath,
      ...(newPath !== oldPath ? { moveTo: newPath } : {}),
      hunks: s.hunks,
    },
  };
}

function parseHunk(lines: string[], start: number): Parsed<{ hunk: Hunk; next: number }> {
  const header = HUNK_HEADER.exec(lines[start] ?? '');
  if (!header)
    return fail(start, `malformed hunk header ${JSON.stringify(lines[start])}; expected "@@ -l,s +l,s @@"`);
  const oldCount = header[2] === undefined ? 1 : Number(header[2]);
  const newCount = header[4] === undefined ? 1 : Number(header[4]);
  const body: HunkLine[] = [];
  const raw: boolean[] = [];
  let oldNoNewline = false;
  let newNoNewline = false;
  let i = start + 1;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('@@') || line.startsWith('diff --git ')) break;
    if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) break;
    const op = line[0];
    if (op === ' ' || op === '-' || op === '+') {
      body.push({ op, text: line.slice(1) });
      raw.push(false);
    } else if (line === '') {
      // An empty context line whose leading space was stripped, or the blank line after the diff.
      body.push({ op: ' ', text: '' });
      raw.push(true);
    } else if (op === '\\') {
      const previous = body.at(-1)?.op;
      if (previous !== '+') oldNoNewline = true;
      if (previous !== '-') newNoNewline = true;
    } else {
      break;
    }
  }
  // Stray blank lines at the end belong to the hunk only while the header's counts still want lines.
  while (raw.at(-1) === true) {
    const olds = body.filter((line) => line.op !== '+').length;
    const news = body.filter((line) => line.op !== '-').length;
    if (olds <= oldCount && news <= newCount) break;
    body.pop();
    raw.pop();
  }
  if (body.length === 0) return fail(start, 'the hunk has no lines');
  const hunk: Hunk = { lines: body, endOfFile: false, oldStart: Number(header[1]) };
  if (oldNoNewline) hunk.oldNoNewline = true;
  if (newNoNewline) hunk.newNoNewline = true;
  return { ok: true, value: { hunk, next: i } };
}

/** `--- a/src/x.ts\t2024-01-01 …` → `a/src/x.ts`. */
function headerPath(field: string): string {
  const trimmed = field.trim();
  if (trimmed.startsWith('"')) return unquote(trimmed);
  return trimmed.split('\t')[0]?.trimEnd() ?? '';
}

/** git's `a/` and `b/` prefixes go when both sides (or the one that is not /dev/null) carry them. */
function stripPrefixes(oldPath: string, newPath: string): [string, string] {
  const oldOk = oldPath === DEV_NULL || oldPath.startsWith('a/');
  const newOk = newPath === DEV_NULL || newPath.startsWith('b/');
  if (!oldOk || !newOk || (oldPath === DEV_NULL && newPath === DEV_NULL)) return [oldPath, newPath];
  return [
    oldPath === DEV_NULL ? oldPath : oldPath.slice(2),
    newPath === DEV_NULL ? newPath : newPath.slice(2),
  ];
}

/** `diff --git a/x b/x`: the names, used only when no ---/+++ lines follow (pure renames, mode changes). */
function gitHeaderPaths(rest: string): [string | undefined, string | undefined] {
  const quoted = /^"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$/.exec(rest);
  const pair = quoted
    ? [unquote(`"${quoted[1]}"`), unquote(`"${quoted[2]}"`)]
    : (() => {
        const middle = rest.indexOf(' b/');
        return middle === -1 ? [undefined, undefined] : [rest.slice(0, middle), rest.slice(middle + 1)];
      })();
  const [a, b] = pair;
  return [a?.replace(/^a\//, ''), b?.replace(/^b\//, '')];
}

/** git quotes names with unusual bytes C-style: `"a/t\303\251st.txt"`. */
function unquote(field: string): string {
  const text = field.trim();
  if (!(text.startsWith('"') && text.endsWith('"') && text.length >= 2)) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  const escapes: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (ch !== '\\') {
      bytes.push(...Buffer.from(ch));
      continue;
    }
    const next = body[i + 1] ?? '';
    const octal = /^[0-7]{3}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(Number.parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function fail<T>(index: number, message: string): Parsed<T> {
  return { ok: false, error: `patch line ${index + 1}: ${message}` };
}
