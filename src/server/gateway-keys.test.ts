import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServerKeys, withKeySpend } from './gateway-keys.ts';
import { openSqliteAccountStore } from './sqlite-account-store.ts';
import { openSqliteKeyStore } from './sqlite-key-store.ts';
import { openSqliteTaskStore } from './sqlite-task-store.ts';

const USAGE = { inputTokens: 600, outputTokens: 400, cacheReadTokens: 0, cacheWriteTokens: 0 };

async function world(teamBudget: number | undefined) {
  const accounts = openSqliteAccountStore(':memory:');
  await accounts.createTeam({
    id: 'red',
    budgetTokens: teamBudget,
    budgetCost: undefined,
    concurrency: undefined,
    repositories: undefined,
    policies: undefined,
  });
  const store = openSqliteKeyStore(':memory:');
  const tasks = withKeySpend(openSqliteTaskStore(':memory:'), store);
  const lines: string[] = [];
  const keys = createServerKeys({
    store,
    accounts,
    teamSpend: (team) => tasks.teamSpend(team),
    log: (line) => lines.push(line),
  });
  return { keys, tasks, store, lines };
}

test('an issued key verifies to its owner and team; the store holds only its hash', async () => {
  const { keys, store } = await world(undefined);
  const { key, record } = await keys.issue({ owner: 'ci', team: 'red', budget: {}, createdBy: 'admin' });
  assert.match(key, /^wk-/);
  assert.equal(JSON.stringify(await store.listKeys()).includes(key), false);
  const holder = await keys.verifier.verify(key);
  assert.deepEqual([holder?.owner, holder?.team, holder?.id], ['ci', 'red', record.id]);
  assert.equal(await keys.verifier.verify('wk-forged'), undefined);
  assert.equal(await keys.verifier.verify(undefined), undefined);
  await keys.revoke(record.id);
  assert.equal(await keys.verifier.verify(key), undefined, 'revoked at once');
});

test("a key's spend is written per call and stops the key at its own budget", async () => {
  const { keys } = await world(undefined);
  const { key } = await keys.issue({
    owner: 'ci',
    team: 'red',
    budget: { tokens: 1500 },
    createdBy: 'admin',
  });
  const charge = async () => {
    const holder = await keys.verifier.verify(key);
    assert.ok(holder);
    assert.deepEqual(await keys.verifier.check(holder), { ok: true });
    await keys.verifier.charge(holder, USAGE, 0.25);
  };
  await charge();
  await charge();
  const holder = await keys.verifier.verify(key);
  assert.deepEqual(holder?.spent, { tokens: 2000, costUsd: 0.5, calls: 2 });
  const check = holder && (await keys.verifier.check(holder));
  assert.equal(check?.ok, false);
});

test("keys spend their team's budget, and the team's spend seen by tasks includes them", async () => {
  const { keys, tasks } = await world(1000);
  const { key } = await keys.issue({ owner: 'a', team: 'red', budget: {}, createdBy: 'admin' });
  const other = await keys.issue({ owner: 'b', team: 'red', budget: {}, createdBy: 'admin' });
  const holder = await keys.verifier.verify(key);
  assert.ok(holder);
  await keys.verifier.charge(holder, USAGE, undefined);
  assert.deepEqual(await tasks.teamSpend('red'), { tokens: 1000, cost: 0 });
  const second = await keys.verifier.verify(other.key);
  assert.ok(second);
  const check = await keys.verifier.check(second);
  assert.equal(check.ok, false, "another key of the team is stopped by the team's budget");
  assert.match(check.ok ? '' : check.message, /team "red" has spent its budget of 1000 tokens/);
  // Revoking does not give the budget back.
  await keys.revoke(holder.id);
  assert.deepEqual(await tasks.teamSpend('red'), { tokens: 1000, cost: 0 });
});

test('a failed spend write is logged, not thrown at a client whose answer is on its way', async () => {
  const { keys, store, lines } = await world(undefined);
  const { key } = await keys.issue({ owner: 'a', team: 'red', budget: {}, createdBy: 'admin' });
  const holder = await keys.verifier.verify(key);
  assert.ok(holder);
  await store.close();
  await keys.verifier.charge(holder, USAGE, undefined);
  assert.match(lines.join('\n'), /spend not recorded/);
});
