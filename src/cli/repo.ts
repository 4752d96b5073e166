import { spawnSync } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
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
  // Hooks and config overrides off: a repository's own git config must not run code in Warden.
  const git = spawnSync(
    'git',
    ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', 'rev-parse', '--show-toplevel'],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } },
  );
  const top = git.status === 0 ? git.stdout.trim() : '';
  const root = top && isAbsolute(top) ? realpathSync(top) : dir;
  return { root, workingDir: relative(root, dir) };
}
