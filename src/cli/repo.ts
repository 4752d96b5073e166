import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { gitSync } from '../broker/git.ts';
import { WardenError } from '../errors.ts';

export interface RepoLocation {
  /** The workspace root: the git top level, or the directory itself outside git. */
  root: string;
  /** The working directory relative to the root ('' at the root). */
  workingDir: string;
}

/** Where the agent works: `--repo DIR`, else the current directory, widened to its git top level. */
export function locateRepo(repoFlag: string | undefined, cwd: string): RepoLocation {
  const start = resolve(cwd, repoFlag ?? '.');
  let dir: string;
  try {
    if (!statSync(start).isDirectory()) throw new Error('not a directory');
    dir = realpathSync(start);
  } catch {
    throw new WardenError('repo.missing', `${start} is not a directory`, {
      hint: 'pass an existing directory with --repo DIR',
    });
  }
  const git = gitSync(dir, ['rev-parse', '--show-toplevel']);
  const top = git.code === 0 ? git.stdout.trim() : '';
  const root = top && isAbsolute(top) ? realpathSync(top) : dir;
  const workingDir = relative(root, dir);
  // A top level that does not contain the directory means core.worktree points elsewhere: working
  // there would hand the agent a directory the user never chose.
  if (workingDir.startsWith('..') || isAbsolute(workingDir)) {
    throw new WardenError('repo.unsafe', `git places the work tree of ${dir} at ${root}, outside it`, {
      hint: "check core.worktree in the repository's .git/config, or pass --repo DIR",
    });
  }
  return { root, workingDir };
}
