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
  if (!stats) return;
  if (!stats.isDirectory()) {
    yield start;
    return;
  }
  yield* walkDir(workspace, start);
}

async function* walkDir(workspace: Workspace, dir: string): AsyncGenerator<string> {
  const entries = await workspace.readdir(dir);
  for (const entry of entries) {
    const path = dir === '.' ? entry.name : `${dir}/${entry.name}`;
    if (entry.kind === 'file') yield path;
    else if (entry.kind === 'dir' && !SKIPPED_DIRS.has(entry.name)) yield* walkDir(workspace, path);
  }
}
