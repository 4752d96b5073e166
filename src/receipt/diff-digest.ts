import { hash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustGit } from './receipt-git.ts';

/**
 * Every option that shapes the patch is spelled out, so the bytes depend only on the two commits'
 * objects (and git's diff algorithm), not on a repository's or user's diff settings: full blob ids,
 * binary files as binary patches, no rename detection, no textconv or external diff, fixed prefixes
 * and context, paths quoted the default way, no order file.
 */
export const DIFF_ARGS = [
  '-c',
  'core.quotePath=true',
  'diff-tree',
  '-r',
  '-p',
  '--binary',
  '--full-index',
  '--no-renames',
  '--no-textconv',
  '--no-ext-diff',
  '--no-color',
  '--diff-algorithm=myers',
  '--indent-heuristic',
  '--src-prefix=a/',
  '--dst-prefix=b/',
  '--unified=3',
  '--ignore-submodules=none',
  '-O/dev/null',
] as const;

/**
 * `sha256:<hex>` of the binary patch that takes `base` to `commit`. git writes the patch to a file,
 * hashed as bytes: decoded as text, a file that is not UTF-8 would hash as something else.
 */
export async function diffDigest(root: string, base: string, commit: string): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'warden-receipt-diff-'));
  try {
    const patch = join(scratch, 'session.patch');
    await mustGit(root, [...DIFF_ARGS, `--output=${patch}`, base, commit, '--'], `diff ${base}..${commit}`);
    return `sha256:${hash('sha256', await readFile(patch))}`;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
