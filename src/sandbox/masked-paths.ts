import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WardenError } from '../errors.ts';

export interface MaskedPath {
  /** Absolute path inside the workspace. */
  path: string;
  kind: 'file' | 'dir';
}

/** Directories never searched: git's objects and installed packages are not where secrets are denied. */
const SKIP = new Set(['.git', 'node_modules']);
const MAX_ENTRIES = 200_000;

/**
 * Every file and directory in the workspace that `hidden` matches (by workspace-relative path),
 * found fresh for each command, since the previous one may have created new ones. Symlinks are
 * not followed; a matching directory is masked whole. A workspace too large to search is an
 * error rather than a silent gap in the masks.
 */
export async function findMaskedPaths(
  root: string,
  hidden: (path: string) => boolean,
): Promise<MaskedPath[]> {
  const found: MaskedPath[] = [];
  let seen = 0;
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      seen += 1;
      if (seen > MAX_ENTRIES) {
        throw new WardenError(
          'sandbox.masks',
          `the workspace has more than ${MAX_ENTRIES} entries to search for denied paths`,
          {
            hint: 'narrow files.deny, or work in a smaller directory',
          },
        );
      }
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        // `.aws/*` hides the directory itself, not only what is in it now: masked whole, it cannot
        // be renamed out from under the pattern (a mount point is busy) nor filled with new names.
        if (hidden(relative) || hidden(`${relative}/`)) found.push({ path, kind: 'dir' });
        else if (!SKIP.has(entry.name)) await walk(path, relative);
      } else if (entry.isFile() && hidden(relative)) {
        found.push({ path, kind: 'file' });
      }
    }
  };
  await walk(root, '');
  // A symlinked root is already resolved by the caller; lstat here only guards a vanished root.
  await lstat(root);
  return found;
}
