import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteAccountStore } from './sqlite-account-store.ts';

const team = {
  id: 'red',
  budgetTokens: 1000,
  budgetCost: undefined,
  concurrency: 2,
  repositories: ['/srv/a'],
  policies: undefined,
};

test('teams, users and tokens round-trip; "all" is kept apart from an empty list', async () => {
  const store = openSqliteAccountStore(':memory:');
  assert.equal(await store.countUsers(), 0);
  const created = await store.createTeam(team);
  assert.deepEqual({ ...created, createdAt: undefined }, { ...team, createdAt: undefined });
  await store.createTeam({ ...team, id: 'none', repositories: [], policies: [] });
  assert.deepEqual((await store.getTeam('none'))?.repositories, []);
  assert.equal((await store.getTeam('red'))?.policies, undefined);
  await store.createUser({ id: 'alice', team: 'red', role: 'operator' });
  assert.equal((await store.getUser('alice'))?.role, 'operator');
  assert.equal(await store.countUsers(), 1);
  await store.createToken({ id: 'abcd', userId: 'alice', name: 'ci', hash: 'h' });
  assert.equal((await store.getToken('abcd'))?.revokedAt, undefined);
  assert.equal(await store.revokeToken('abcd'), true);
  assert.equal(await store.revokeToken('abcd'), false, 'revoked once');
  assert.ok((await store.getToken('abcd'))?.revokedAt);
});

test('a user must belong to a team that exists', async () => {
  const store = openSqliteAccountStore(':memory:');
  await assert.rejects(store.createUser({ id: 'bob', team: 'ghost', role: 'viewer' }));
});
