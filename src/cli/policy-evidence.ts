import type { CommandIo } from './main.ts';
import { policyAssertCommand, policyDiffCommand } from './policy-compare.ts';
import { policySuggestCommand } from './policy-suggest.ts';

/** The policy commands that read audit logs and corpora: suggest, diff, assert. */
export function policyEvidenceCommand(
  action: 'suggest' | 'diff' | 'assert',
  args: string[],
  io: CommandIo,
): Promise<number> {
  if (action === 'suggest') return policySuggestCommand(args, io);
  if (action === 'diff') return policyDiffCommand(args, io);
  return policyAssertCommand(args, io);
}
