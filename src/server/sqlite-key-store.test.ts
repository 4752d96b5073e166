import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteKeyStore } from './sqlite-key-store.ts';

const key = (id: string, team = 'red') => ({
  id,
  hash: `${id}-hash`,
  owner: 'ci-agent',
  team,
  budgetTokens: 1000,
  budgetCost: undefined,
  createdBy: 'admin',
});

test('a key round-trips without a secret; spend adds up per call', async () => {
  const store = openSqliteKeyStore(':memory:');
  const created = await store.createKey(key('wk-000000000001'));
  assert.deepEqual(created.spent, { tokens: 0, cost: 0, calls: 0 });
  assert.equal(created.budgetCost, undefined);
  assert.equal(created.revokedAt, undefined);
  await store.addKeySpend(created.id, { tokens: 110, cost: 0.5 });
  await store.addKeySpend(created.id, { tokens: 10, cost: 0 });
  assert.deepEqual((await store.keyByHash('wk-000000000001-hash'))?.spent, {
    tokens: 120,
    cost: 0.5,
    calls: 2,
  });
});

test('a revoked key no longer authenticates or lists, but its spend still counts for its team', async () => {
  const store = openSqliteKeyStore(':memory:');
  await store.createKey(key('wk-000000000001'));
  await store.createKey(key('wk-000000000002'));
  await store.createKey(key('wk-000000000003', 'blue'));
  await store.addKeySpend('wk-000000000001', { tokens: 100, cost: 1 });
  await store.addKeySpend('wk-000000000002', { tokens: 5, cost: 0 });
  assert.equal(await store.revokeKey('wk-000000000001'), true);
  assert.equal(await store.revokeKey('wk-000000000001'), false, 'revoked once');
  assert.equal(await store.keyByHash('wk-000000000001-hash'), undefined);
  assert.ok((await store.getKey('wk-000000000001'))?.revokedAt);
  assert.deepEqual(
    (await store.listKeys()).map((k) => k.id),
    ['wk-000000000002', 'wk-000000000003'],
  );
  assert.deepEqual(
    (await store.listKeys(['blue'])).map((k) => k.id),
    ['wk-000000000003'],
  );
  assert.deepEqual(await store.listKeys([]), []);
  assert.deepEqual(await store.teamKeySpend('red'), { tokens: 105, cost: 1 });
  assert.deepEqual(await store.teamKeySpend('green'), { tokens: 0, cost: 0 });
});
