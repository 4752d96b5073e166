import { type GitResult, git } from '../broker/git.ts';
import { WardenError } from '../errors.ts';

/**
 * No configuration but Warden's: not the machine's, not the user's — no helper, filter, template or
 * hook of theirs runs on an evaluation's repositories, and results do not depend on who runs it.
 */
const FIXED_CONFIG = { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };

/** git on an evaluation's workspace or source, with the fixed config; an abort says `cancelled`. */
export async function evalGit(
  cwd: string,
  args: string[],
  options: { env?: Record<string, string>; signal?: AbortSignal | undefined; cancelled: string },
): Promise<GitResult> {
  const result = await git(cwd, args, {
    env: { ...FIXED_CONFIG, ...options.env },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (options.signal?.aborted) throw new WardenError('eval.cancelled', options.cancelled);
  return result;
}

/** The first line that says something, of what git wrote to stderr. */
export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? 'no reason given'
  );
}
