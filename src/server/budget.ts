import type { TeamRecord } from './account-store.ts';
import type { Spend } from './task-store.ts';

/** Why the team may not spend more, or undefined while it may. */
export function budgetExhausted(team: TeamRecord, spent: Spend): string | undefined {
  if (team.budgetTokens !== undefined && spent.tokens >= team.budgetTokens) {
    return `team "${team.id}" has spent its budget of ${team.budgetTokens} tokens (${spent.tokens} used)`;
  }
  if (team.budgetCost !== undefined && spent.cost >= team.budgetCost) {
    return `team "${team.id}" has spent its budget of $${team.budgetCost} ($${spent.cost.toFixed(4)} used)`;
  }
  return undefined;
}

export const BUDGET_HINT = 'an admin can raise the team budget, or start the task under another team';
