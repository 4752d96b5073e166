import type { AccountStore } from './account-store.ts';
import { issueToken } from './auth.ts';

/**
 * A server with no users gets one: `admin` in team `default`, with a token returned to be shown
 * once, on the first start only. Everyone else is created through the API with that token.
 */
export async function bootstrapAdmin(accounts: AccountStore): Promise<string | undefined> {
  if ((await accounts.countUsers()) > 0) return undefined;
  if (!(await accounts.getTeam('default'))) {
    await accounts.createTeam({
      id: 'default',
      budgetTokens: undefined,
      budgetCost: undefined,
      concurrency: undefined,
      repositories: undefined,
      policies: undefined,
    });
  }
  await accounts.createUser({ id: 'admin', team: 'default', role: 'admin' });
  const issued = issueToken();
  await accounts.createToken({
    id: issued.id,
    userId: 'admin',
    name: 'first admin token',
    hash: issued.hash,
  });
  return issued.token;
}
