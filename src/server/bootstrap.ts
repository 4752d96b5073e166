import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WardenError } from '../errors.ts';
import type { AccountStore } from './account-store.ts';
import { issueToken } from './auth.ts';

/** Where a first start (and `warden serve --new-admin-token`) leaves the admin's token, 0600. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/**
 * A server with no users gets one: `admin` in team `default`, with a token returned to be shown
 * once and written to `DATA/admin-token` (0600), so it is not only in a journal. Called once the
 * server listens: a start that fails before (a port in use) leaves no token no one was shown.
 */
export async function bootstrapAdmin(accounts: AccountStore, dataDir: string): Promise<string | undefined> {
  if ((await accounts.countUsers()) > 0) return undefined;
  return newAdminToken(accounts, dataDir, 'first admin token');
}

/**
 * A new token for `admin` (made again, in team `default`, if it is gone): what the owner of the data
 * directory runs when the admin's tokens are lost. Written to `DATA/admin-token` as well.
 */
export async function newAdminToken(accounts: AccountStore, dataDir: string, name: string): Promise<string> {
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
  const user = await accounts.getUser('admin');
  if (!user) await accounts.createUser({ id: 'admin', team: 'default', role: 'admin' });
  else if (user.role !== 'admin') {
    throw new WardenError('server.admin', 'the user "admin" is no longer an admin', {
      hint: 'ask another admin for a token, or give "admin" its role back through the API',
    });
  }
  const issued = issueToken();
  await accounts.createToken({ id: issued.id, userId: 'admin', name, hash: issued.hash });
  const file = join(dataDir, ADMIN_TOKEN_FILE);
  writeFileSync(file, `${issued.token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return issued.token;
}
