import { lstat, mkdtemp, realpath, rm, rmdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { WardenError } from '../errors.ts';
import { git } from './git.ts';
import { workspaceDriverOverrides } from './workspace-git-config.ts';

/**
 * Puts `paths` (workspace-relative, as `diffSnapshots` names them) back as they are in the snapshot
 * `tree` (from `snapshotWorktree`): a file the snapshot holds gets its content and mode again, one
 * it lacks is removed (and the directories that leaves empty). Nothing else in the workspace is
 * touched, so a person's own edits to other files stay. Returns the paths it changed.
 *
 * The workspace is the agent's: a path whose directory is now a symbolic link, or leads out of
 * the workspace, is refused rather than followed; the repository's own filter drivers do not run.
 */
export async function restoreFromSnapshot(root: string, tree: string, paths: string[]): Promise<string[]> {
  const workspace = await realpath(root);
  for (const path of paths) await refuseOutside(workspace, path);
  const drivers = await workspaceDriverOverrides(root);
  const scratch = await mkdtemp(join(tmpdir(), 'warden-restore-'));
  const env = { GIT_INDEX_FILE: join(scratch, 'index') };
  try {
    if ((await git(root, ['read-tree', tree], { env })).code !== 0) {
      throw new WardenError('worktree.restore', `the snapshot ${tree} cannot be read`);
    }
    const listed = await git(root, ['ls-files', '-z', '--', ...paths.map(literal)], { env });
    const held = new Set(listed.stdout.split('\0').filter(Boolean));
    const restore = paths.filter((path) => held.has(path));
    const remove = paths.filter((path) => !held.has(path));
    for (const path of remove) await removeFile(workspace, path);
    if (restore.length > 0) {
      // A file in the way of a directory, or a link in the way of a file: gone first, not written through.
      for (const path of restore) await removeFile(workspace, path);
      const out = await git(root, [...drivers, 'checkout-index', '-f', '--', ...restore], { env });
      if (out.code !== 0) {
        throw new WardenError('worktree.restore', `git could not restore the files: ${out.stderr.trim()}`);
      }
    }
    return [...paths].sort();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The changes between two snapshots as a unified diff (renames found, binary files named), for a
 * person to read; no program of the repository's runs to make it.
 */
export async function snapshotPatch(root: string, from: string, to: string): Promise<string> {
  if (from === to) return '';
  const drivers = await workspaceDriverOverrides(root);
  const out = await git(root, [
    ...drivers,
    'diff-tree',
    '-r',
    '-p',
    '-M',
    '--no-color',
    '--no-textconv',
    '--no-ext-diff',
    from,
    to,
  ]);
  return out.code === 0 ? out.stdout : '';
}

/** A pathspec that matches only this path (no globs, no magic). */
function literal(path: string): string {
  return `:(literal)${path}`;
}

async function refuseOutside(workspace: string, path: string): Promise<void> {
  const target = resolve(workspace, path);
  const rel = relative(workspace, target);
  if (isAbsolute(path) || rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
    throw new WardenError('worktree.restore', `${path} is not a path inside the workspace`);
  }
  // Every directory on the way must be a real directory inside the workspace, not a link.
  let dir = dirname(target);
  while (dir.length > workspace.length) {
    const stat = await lstat(dir).catch(() => undefined);
    if (stat?.isSymbolicLink()) {
      throw new WardenError('worktree.restore', `${relative(workspace, dir)} is a symbolic link now`, {
        hint: 'restore it by hand: Warden does not write through links the agent may have made',
      });
    }
    dir = dirname(dir);
  }
}

async function removeFile(workspace: string, path: string): Promise<void> {
  const target = join(workspace, path);
  const stat = await lstat(target).catch(() => undefined);
  if (!stat) return;
  if (stat.isDirectory()) await rm(target, { recursive: true, force: true });
  else await unlink(target);
  // The directories the file leaves empty go too, as git would leave them.
  let dir = dirname(target);
  while (
    dir.length > workspace.length &&
    (await rmdir(dir)
      .then(() => true)
      .catch(() => false))
  ) {
    dir = dirname(dir);
  }
}
