import { git } from './git.ts';

const SCAN_TIMEOUT_MS = 5000;

/**
 * Whether any file the policy hides was ever in this repository: committed on any ref, or staged.
 * The working tree's masks cannot reach git's objects, so when this is true Warden asks before git
 * commands that print old contents. A history too long to scan in time counts as holding one.
 */
export async function historyHoldsHidden(root: string, hidden: (path: string) => boolean): Promise<boolean> {
  const [history, staged] = await Promise.all([
    git(root, ['log', '--all', '--format=', '--name-only', '-z'], { timeoutMs: SCAN_TIMEOUT_MS }),
    git(root, ['ls-files', '--cached', '-z'], { timeoutMs: SCAN_TIMEOUT_MS }),
  ]);
  if (history.code === 124 || staged.code === 124) return true;
  const names = `${history.code === 0 ? history.stdout : ''}\0${staged.code === 0 ? staged.stdout : ''}`;
  return names
    .split(/[\0\n]/)
    .filter(Boolean)
    .some((name) => hidden(name));
}
