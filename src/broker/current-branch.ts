import { refNameProblem } from '../guard/git-ref-name.ts';
import { git } from './git.ts';

/**
 * The branch HEAD is on, checked as any ref name Warden acts on: the agent chose it (a checkout in
 * the sandbox), so it is as hostile as a name on the command line.
 */
export async function currentBranch(root: string): Promise<{ branch: string } | { problem: string }> {
  const head = await git(root, ['symbolic-ref', '--quiet', 'HEAD']);
  const branch = head.stdout.trim().replace(/^refs\/heads\//, '');
  if (head.code !== 0 || branch === '') return { problem: 'HEAD is not on a branch; name the branch' };
  const problem = refNameProblem(branch);
  if (problem)
    return {
      problem: `the current branch ${JSON.stringify(branch)} is not a name Warden acts on: ${problem}`,
    };
  return { branch };
}
