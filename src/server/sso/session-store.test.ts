import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Backend, onBothBackends } from '../../store/testing/both-stores.ts';
import type { AccountStore } from '../account-store.ts';
import { pgAccountStore } from '../pg-account-store.ts';
import { openSqliteAccountStore } from '../sqlite-account-store.ts';
import { pgSsoSessionStore, type SsoSessionStore, sqliteSsoSessionStore } from './session-store.ts';

/** The same tests on both: a session made on one API server is found, renewed and ended on another. */
const open = async (backend: Backend): Promise<{ sessions: SsoSessionStore; accounts: AccountStore }> => {
  if (backend.kind === 'sqlite') {
    return { sessions: sqliteSsoSessionStore(':memory:'), accounts: openSqliteAccountStore(':memory:') };
  }
  const pool = await backend.pool();
  return { sessions: pgSsoSessionStore(pool), accounts: pgAccountStore(pool) };
};

const session = (hash: string, expiresAt: string) => ({
  hash,
  userId: 'sso:ada',
  name: 'ada@example.com',
  team: 'backend',
  role: 'operator' as const,
  sealed: 'iv.tag.body',
  expiresAt,
});

onBothBackends('sso session store', (backend) => {
  test('a session is read back as written, renewed in place, and ended once', async () => {
    const { sessions } = await open(backend);
    await sessions.create(session('a'.repeat(64), '2026-01-01T01:00:00.000Z'));
    const read = await sessions.get('a'.repeat(64));
    assert.deepEqual(
      { ...read, createdAt: undefined },
      { ...session('a'.repeat(64), '2026-01-01T01:00:00.000Z'), createdAt: undefined },
    );
    await sessions.update('a'.repeat(64), {
      name: 'Ada',
      team: 'default',
      role: 'viewer',
      sealed: undefined,
      expiresAt: '2026-01-01T02:00:00.000Z',
    });
    const renewed = await sessions.get('a'.repeat(64));
    assert.deepEqual(
      [renewed?.name, renewed?.team, renewed?.role, renewed?.sealed, renewed?.expiresAt],
      ['Ada', 'default', 'viewer', undefined, '2026-01-01T02:00:00.000Z'],
    );
    assert.equal(await sessions.delete('a'.repeat(64)), true);
    assert.equal(await sessions.delete('a'.repeat(64)), false);
    assert.equal(await sessions.get('a'.repeat(64)), undefined);
  });

  test('purge forgets only sessions that expired before the cut', async () => {
    const { sessions } = await open(backend);
    await sessions.create(session('b'.repeat(64), '2026-01-01T00:00:00.000Z'));
    await sessions.create(session('c'.repeat(64), '2026-01-09T00:00:00.000Z'));
    assert.equal(await sessions.purge('2026-01-02T00:00:00.000Z'), 1);
    assert.equal(await sessions.get('b'.repeat(64)), undefined);
    assert.ok(await sessions.get('c'.repeat(64)));
  });

  test('a user moves team and role when the provider says so', async () => {
    const { accounts } = await open(backend);
    for (const id of ['default', 'backend']) {
      await accounts.createTeam({
        id,
        budgetTokens: undefined,
        budgetCost: undefined,
        concurrency: undefined,
        repositories: undefined,
        policies: undefined,
      });
    }
    await accounts.createUser({ id: 'sso:ada', team: 'backend', role: 'operator' });
    await accounts.updateUser('sso:ada', { team: 'default', role: 'viewer' });
    const user = await accounts.getUser('sso:ada');
    assert.deepEqual([user?.team, user?.role], ['default', 'viewer']);
  });
});
