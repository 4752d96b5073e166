import type { Workspace } from '../sandbox/workspace-types.ts';

/** Directories no search wants: Warden's own git metadata, and dependencies that dwarf the code. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);

/**
 * Files under `start` (workspace-relative, '.' for the root) when ripgrep is not there: depth
 * first, each directory's entries by name, which is the order `rg --sort path` gives. Symlinks are
 * not followed, as rg does not follow them, so a link cannot lead the walk out of the workspace or
 * round in a loop.
 */
export async function* walkFiles(workspace: Workspace, start: string): AsyncGenerator<string> {
  const stats = await workspace.stat(start);
  if (stats?.isFile()) yield start;
  else if (stats?.isDirectory()) yield* walkDir(workspace, start);
}

/**
 * What a search may start at. Anything but a regular file or a directory is refused before rg or
 * the walk sees it: opening a FIFO with no writer blocks forever and a device can read forever.
 * The workspace's stat follows a link inside the workspace, as rg does for a path it is given.
 */
export async function searchStart(
  workspace: Workspace,
  path: string,
): Promise<'file' | 'dir' | 'missing' | 'special'> {
  const stats = await workspace.stat(path);
  if (!stats) return 'missing';
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  return 'special';
}

export function specialFileMessage(path: string): string {
  return `${path} is not a regular file or directory (a FIFO, socket or device), so it cannot be searched; pass a file or a directory`;
}

async function* walkDir(workspace: Workspace, dir: string): AsyncGenerator<string> {
  const entries = await workspace.readdir(dir);
  for (const entry of entries) {
    const path = dir === '.' ? entry.name : `${dir}/${entry.name}`;
    // 'file' is a regular file only; FIFOs, sockets and devices are 'other' and never yielded.
    if (entry.kind === 'file') yield path;
    else if (entry.kind === 'dir' && !SKIPPED_DIRS.has(entry.name)) yield* walkDir(workspace, path);
  }
}
