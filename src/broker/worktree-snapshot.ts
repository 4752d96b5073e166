import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileChangeSummary } from '../agent/events.ts';
import { git } from './git.ts';
import { workspaceDriverOverrides } from './workspace-git-config.ts';

/**
 * The working tree as a git tree object: every tracked and untracked, not ignored file, as it is on
 * disk now. Made with a private copy of the index, so the user's index and refs are untouched (the
 * blobs it writes are unreferenced objects that `git gc` collects). Undefined outside a git
 * repository or when git fails: callers fall back to what they saw themselves.
 */
export async function snapshotWorktree(root: string): Promise<string | undefined> {
  const gitDir = await git(root, ['rev-parse', '--absolute-git-dir']);
  if (gitDir.code !== 0) return undefined;
  const scratch = await mkdtemp(join(tmpdir(), 'warden-index-'));
  const index = join(scratch, 'index');
  try {
    await seedIndex(join(gitDir.stdout.trim(), 'index'), index);
    const env = { GIT_INDEX_FILE: index };
    // `git add` and even `write-tree` run filters: none the agent could have defined may run here, on the host.
    const drivers = await workspaceDriverOverrides(root);
    if ((await git(root, [...drivers, 'add', '--all', '--', '.'], { env })).code !== 0) return undefined;
    const tree = await git(root, [...drivers, 'write-tree'], { env });
    return tree.code === 0 ? tree.stdout.trim() : undefined;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Starts the private index from the real one, so git skips rehashing files whose stat data is
 * unchanged. The copy keeps the original's mtime: git treats entries as racily clean by comparing
 * them with the index file's own mtime, and a fresh mtime would hide an edit made in the same
 * second as the last `git add` that kept the file's size.
 */
async function seedIndex(from: string, to: string): Promise<void> {
  try {
    const { atime, mtime } = await stat(from);
    await copyFile(from, to);
    await utimes(to, atime, mtime);
  } catch {
    // No index yet (a fresh repository): git hashes everything.
  }
}

/** Every file that differs between two snapshots, with line counts (0 for binary files). */
export async function diffSnapshots(root: string, from: string, to: string): Promise<FileChangeSummary[]> {
  if (from === to) return [];
  const drivers = await workspaceDriverOverrides(root);
  const base = [...drivers, 'diff-tree', '-r', '-M', '-z', '--no-textconv', '--no-ext-diff', from, to];
  const [status, numstat] = await Promise.all([
    git(root, [...base, '--name-status']),
    git(root, [...base, '--numstat']),
  ]);
  if (status.code !== 0 || numstat.code !== 0) return [];
  const counts = parseNumstat(numstat.stdout);
  return parseNameStatus(status.stdout)
    .map((entry) => ({ ...entry, ...(counts.get(entry.path) ?? { added: 0, removed: 0 }) }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

type Entry = Omit<FileChangeSummary, 'added' | 'removed'>;

/** `-z --name-status`: `M\0path\0`, `A\0path\0`, `D\0path\0`, `R100\0from\0to\0`. */
function parseNameStatus(out: string): Entry[] {
  const fields = out.split('\0');
  const entries: Entry[] = [];
  for (let i = 0; i < fields.length - 1; ) {
    const code = fields[i++] ?? '';
    if (code.startsWith('R') || code.startsWith('C')) {
      const from = fields[i++] ?? '';
      const path = fields[i++] ?? '';
      entries.push(code.startsWith('R') ? { path, kind: 'moved', from } : { path, kind: 'added' });
    } else {
      const path = fields[i++] ?? '';
      entries.push({ path, kind: code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified' });
    }
  }
  return entries;
}

/** `-z --numstat`: `added\tremoved\tpath\0`, or for renames `added\tremoved\t\0from\0to\0`; `-` for binary. */
function parseNumstat(out: string): Map<string, { added: number; removed: number }> {
  const fields = out.split('\0');
  const counts = new Map<string, { added: number; removed: number }>();
  for (let i = 0; i < fields.length - 1; ) {
    const [added = '-', removed = '-', path = ''] = (fields[i++] ?? '').split('\t');
    let destination = path;
    if (path === '') {
      // A rename: the source and destination follow as their own fields.
      destination = fields[i + 1] ?? '';
      i += 2;
    }
    counts.set(destination, { added: Number(added) || 0, removed: Number(removed) || 0 });
  }
  return counts;
}
