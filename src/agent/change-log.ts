import { structuredPatch } from 'diff';
import type { FileChange } from '../tools/types.ts';
import type { FileChangeSummary } from './events.ts';

interface Tracked {
  /** Content when the session first touched the path; undefined when it did not exist. */
  original: string | undefined;
  current: string | undefined;
  movedFrom?: string;
}

/** Net effect of a session on each file it touched: what the report's diff stat is made of. */
export class ChangeLog {
  readonly #files = new Map<string, Tracked>();

  record(change: FileChange): void {
    if (change.kind === 'moved' && change.from) {
      const source = this.#files.get(change.from);
      const original = source ? source.original : change.before;
      this.#files.set(change.from, { original, current: undefined });
      this.#files.set(change.path, { original: undefined, current: change.after, movedFrom: change.from });
      return;
    }
    const known = this.#files.get(change.path);
    const original = known ? known.original : change.kind === 'added' ? undefined : change.before;
    const current = change.kind === 'deleted' ? undefined : change.after;
    this.#files.set(change.path, { ...known, original, current });
  }

  summary(): FileChangeSummary[] {
    const out: FileChangeSummary[] = [];
    for (const [path, file] of [...this.#files].sort(([a], [b]) => a.localeCompare(b))) {
      if (file.original === file.current) continue;
      const { added, removed } = countLines(file.original ?? '', file.current ?? '');
      const kind = file.movedFrom
        ? 'moved'
        : file.original === undefined
          ? 'added'
          : file.current === undefined
            ? 'deleted'
            : 'modified';
      out.push({ path, kind, added, removed, ...(file.movedFrom ? { from: file.movedFrom } : {}) });
    }
    return out;
  }
}

export function unifiedDiff(path: string, before: string | undefined, after: string | undefined): string {
  const patch = structuredPatch(
    before === undefined ? '/dev/null' : `a/${path}`,
    after === undefined ? '/dev/null' : `b/${path}`,
    before ?? '',
    after ?? '',
    '',
    '',
    { context: 3 },
  );
  const lines = [`--- ${patch.oldFileName}`, `+++ ${patch.newFileName}`];
  for (const hunk of patch.hunks) {
    // An empty side is numbered from the line before it, as git and patch expect (`@@ -0,0 +1,3 @@`).
    const oldStart = hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart;
    const newStart = hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart;
    lines.push(`@@ -${oldStart},${hunk.oldLines} +${newStart},${hunk.newLines} @@`, ...hunk.lines);
  }
  return `${lines.join('\n')}\n`;
}

function countLines(before: string, after: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const hunk of structuredPatch('a', 'b', before, after, '', '', { context: 0 }).hunks) {
    for (const line of hunk.lines) {
      if (line.startsWith('+')) added += 1;
      else if (line.startsWith('-')) removed += 1;
    }
  }
  return { added, removed };
}
