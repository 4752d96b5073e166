import type { CommandIo } from './main.ts';
import { policySuggestCommand } from './policy-suggest.ts';

export async function policyEvidenceCommand(
  action: 'suggest' | 'diff' | 'assert',
  args: string[],
  io: CommandIo,
): Promise<number> {
  if (action === 'suggest') return policySuggestCommand(args, io);
  return 2;
}
