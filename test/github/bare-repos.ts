/**
 * The fake GitHub's repositories: bare git repositories under one root (`<root>/<owner>/<repo>.git`,
 * which is also the smart-HTTP path), seeded from a work tree or a map of files, and the questions
 * the REST API asks of them (a branch's head, whether head has commits base lacks).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A work tree to copy (its `.git`, if any, is left out) or files by relative path. */
export type RepositorySeed = string | Record<string, string>;

const gitEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Seed',
  GIT_AUTHOR_EMAIL: 'seed@example.com',
  GIT_COMMITTER_NAME: 'Seed',
  GIT_COMMITTER_EMAIL: 'seed@example.com',
};

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: gitEnv,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function barePath(root: string, fullName: string): string {
  return join(root, `${fullName}.git`);
}

/** Creates `<root>/<owner>/<repo>.git` with one commit of the seed on `defaultBranch`. */
export function createBareRepository(
  root: string,
  fullName: string,
  seed: RepositorySeed,
  defaultBranch: string,
): void {
  const work = mkdtempSync(join(tmpdir(), 'fake-github-seed-'));
  try {
    if (typeof seed === 'string')
      cpSync(seed, work, { recursive: true, filter: (src) => !/(^|\/)\.git$/.test(src) });
    else
      for (const [path, content] of Object.entries(seed)) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), content);
      }
    git(work, ['init', '-q', '-b', defaultBranch]);
    git(work, ['add', '-A']);
    git(work, ['commit', '-q', '--allow-empty', '-m', 'Initial commit']);
    const bare = barePath(root, fullName);
    mkdirSync(dirname(bare), { recursive: true });
    git(root, ['clone', '-q', '--bare', work, bare]);
    // Pushes over smart HTTP need this; GitHub also refuses nothing else a plain bare repo would.
    git(bare, ['config', 'http.receivepack', 'true']);
    git(bare, ['remote', 'remove', 'origin']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The commit a ref or sha names in the repository, or undefined. */
export function resolveCommit(bare: string, ref: string): string | undefined {
  if (ref.startsWith('-')) return undefined;
  try {
    return git(bare, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  } catch {
    return undefined;
  }
}

export function branchHead(bare: string, branch: string): string | undefined {
  return resolveCommit(bare, `refs/heads/${branch}`);
}

/** How many commits `head` has that `base` lacks. */
export function commitsAhead(bare: string, base: string, head: string): number {
  return Number(git(bare, ['rev-list', '--count', `${base}..${head}`]));
}
