import { type GitResult, git } from '../broker/git.ts';
import { WardenError } from '../errors.ts';

/**
 * Objects as their hashes name them: a `git replace` ref would make git show another commit's
 * content under a receipt's commit id. No user or machine configuration either, so that what is
 * read does not depend on who reads it.
 */
const FIXED_ENV = {
  GIT_NO_REPLACE_OBJECTS: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

/** Hardened git (src/broker/git.ts) for reading a repository's objects, with the fixed environment. */
export function receiptGit(
  root: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<GitResult> {
  return git(root, args, { env: { ...FIXED_ENV, ...env } });
}

/** As receiptGit, but a failure is an error naming the step; the trimmed stdout otherwise. */
export async function mustGit(
  root: string,
  args: string[],
  doing: string,
  env: Record<string, string> = {},
): Promise<string> {
  const result = await receiptGit(root, args, env);
  if (result.code !== 0) {
    throw new WardenError('receipt.git', `git could not ${doing}: ${firstLine(result.stderr)}`, {
      where: root,
    });
  }
  return result.stdout.trim();
}

/** The full id of a commit that exists in the repository, or undefined. */
export async function commitId(root: string, rev: string): Promise<string | undefined> {
  const result = await receiptGit(root, [
    'rev-parse',
    '--verify',
    '--quiet',
    '--end-of-options',
    `${rev}^{commit}`,
  ]);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? 'no reason given'
  );
}
