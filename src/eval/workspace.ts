import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, realpath, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GitResult } from '../broker/git.ts';
import { WardenError } from '../errors.ts';
import { evalGit } from './eval-git.ts';
import type { RepositoryCache } from './repository-cache.ts';
import { isGitRepository, isGitUrl } from './suite-repository.ts';
import type { EvalInstance } from './types.ts';

export interface PreparedWorkspace {
  /** The work tree's real path. */
  root: string;
  /** The full id of the commit the workspace is at: the grader puts test files back to it. */
  baseCommit: string;
}

export interface PrepareOptions {
  signal?: AbortSignal;
  cache: RepositoryCache;
}

/** A plain directory's base commit: the same content gives the same commit id on every machine. */
const BASE_IDENTITY = {
  GIT_AUTHOR_NAME: 'Warden eval',
  GIT_AUTHOR_EMAIL: 'eval@warden.invalid',
  GIT_AUTHOR_DATE: '2000-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'Warden eval',
  GIT_COMMITTER_EMAIL: 'eval@warden.invalid',
  GIT_COMMITTER_DATE: '2000-01-01T00:00:00Z',
};

/**
 * A fresh git repository in `dir` at the instance's base commit, and nothing after it: the commit
 * is fetched alone (`--depth 1`) from the source, so the fix, made later in the source's history,
 * is not among the workspace's objects for a contestant to find. A plain directory is copied and
 * committed as the base. A git URL is cloned once into the cache and fetched from there.
 */
export async function prepareWorkspace(
  instance: EvalInstance,
  dir: string,
  options: PrepareOptions,
): Promise<PreparedWorkspace> {
  await mkdir(dir, { recursive: true });
  if ((await readdir(dir)).length > 0) {
    throw workspaceError(`the workspace directory ${dir} is not empty`, instance, 'give a new directory');
  }
  const root = await realpath(dir);
  const run = (args: string[], env: Record<string, string> = {}) => runGit(root, args, options.signal, env);
  const source = isGitUrl(instance.repository)
    ? await options.cache.local(instance.repository, options.signal)
    : instance.repository;

  if (!isGitRepository(source)) {
    await cp(source, root, {
      recursive: true,
      verbatimSymlinks: true,
      // A nested repository's metadata is not content: its files are taken as they are.
      filter: (from) => basename(from) !== '.git',
    });
    await run(['init', '--quiet', '--template=']);
    await run(['add', '--all']);
    await run(
      ['-c', 'commit.gpgsign=false', 'commit', '--quiet', '--no-verify', '--allow-empty', '-m', 'base'],
      BASE_IDENTITY,
    );
    return { root, baseCommit: (await run(['rev-parse', 'HEAD'])).stdout.trim() };
  }

  if (instance.baseCommit === undefined) {
    throw workspaceError(`${source} is a git repository, but the instance has no base_commit`, instance);
  }
  const resolved = await runGit(
    source,
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${instance.baseCommit}^{commit}`],
    options.signal,
    {},
    false,
  );
  if (resolved.code !== 0) {
    throw workspaceError(
      `the base commit ${instance.baseCommit} does not exist in ${instance.repository}`,
      instance,
      'check base_commit in the suite; a shallow clone lacks older commits (fetch them with git fetch --unshallow)',
    );
  }
  const commit = resolved.stdout.trim();
  await checkoutCommit(root, source, commit, options.signal);
  return { root, baseCommit: commit };
}

/**
 * `root` (empty) becomes a new repository holding `commit` alone, checked out: fetched with
 * `--depth 1` from the repository at `source`, so none of its other history comes along.
 */
export async function checkoutCommit(
  root: string,
  source: string,
  commit: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const run = (args: string[]) => runGit(root, args, signal, {});
  await run(['init', '--quiet', '--template=']);
  await run([
    '-c',
    'protocol.allow=never',
    '-c',
    'protocol.file.allow=always',
    // Protocol v2 serves any commit it has; v0 needs this for a commit no branch points at.
    '-c',
    'uploadpack.allowAnySHA1InWant=true',
    'fetch',
    '--quiet',
    '--depth',
    '1',
    '--no-tags',
    '--no-recurse-submodules',
    '--no-write-fetch-head',
    pathToFileURL(source).href,
    commit,
  ]);
  await run(['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', commit]);
}

/**
 * Removes a trial's directory, however deep the contestant nested it: Node names each entry by its
 * full path and fails past PATH_MAX, GNU rm walks relative to each directory. Says why when it cannot.
 */
export async function removeTree(dir: string): Promise<string | undefined> {
  const failed = await rm(dir, { recursive: true, force: true }).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (failed === undefined) return undefined;
  return new Promise((resolve) =>
    execFile('rm', ['-rf', '--one-file-system', '--', dir], (error, _stdout, stderr) =>
      resolve(error === null ? undefined : stderr.trim().split('\n')[0] || error.message),
    ),
  );
}

async function runGit(
  cwd: string,
  args: string[],
  signal: AbortSignal | undefined,
  env: Record<string, string>,
  check = true,
): Promise<GitResult> {
  const result = await evalGit(cwd, args, {
    env,
    signal,
    cancelled: 'preparing the workspace was cancelled',
  });
  if (check && result.code !== 0) {
    const said = result.stderr.trim().split('\n').slice(-2).join(' ') || `exit ${result.code}`;
    throw new WardenError(
      'eval.workspace',
      `git ${args.find((a) => !a.startsWith('-') && !a.includes('='))} failed in ${cwd}: ${said}`,
    );
  }
  return result;
}

function workspaceError(message: string, instance: EvalInstance, hint?: string): WardenError {
  return new WardenError('eval.workspace', message, {
    where: `instance ${instance.id}`,
    ...(hint === undefined ? {} : { hint }),
  });
}
