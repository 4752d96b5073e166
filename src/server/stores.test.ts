import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Backend, onBothBackends } from '../store/testing/both-stores.ts';
import type { AccountStore } from './account-store.ts';
import type { KeyStore } from './key-store.ts';
import { pgAccountStore } from './pg-account-store.ts';
import { pgKeyStore } from './pg-key-store.ts';
import { pgTaskStore } from './pg-task-store.ts';
import { openSqliteAccountStore } from './sqlite-account-store.ts';
import { openSqliteKeyStore } from './sqlite-key-store.ts';
import { openSqliteTaskStore } from './sqlite-task-store.ts';
import type { NewTask, TaskStore } from './task-store.ts';

/** The same tests on both task and account stores: the API and the runner cannot tell them apart. */

const tasksOn = async (backend: Backend): Promise<TaskStore> =>
  backend.kind === 'sqlite' ? openSqliteTaskStore(':memory:') : pgTaskStore(await backend.pool());
const accountsOn = async (backend: Backend): Promise<AccountStore> =>
  backend.kind === 'sqlite' ? openSqliteAccountStore(':memory:') : pgAccountStore(await backend.pool());

const task = (team = 'red'): NewTask => ({
  team,
  createdBy: 'alice',
  repository: '/srv/repos/a',
  instruction: 'fix it',
  model: 'script:/s.json',
  policy: 'default',
  limits: { turns: 5 },
});

onBothBackends('task store', (backend) => {
  test('a task is created queued and read back as written', async () => {
    const store = await tasksOn(backend);
    const created = await store.createTask(task());
    assert.match(created.id, /^t\d{8}-[0-9a-f]{12}$/);
    assert.equal(created.status, 'queued');
    assert.deepEqual(created.limits, { turns: 5 });
    assert.deepEqual(await store.getTask(created.id), created);
    assert.equal(await store.getTask('t-none'), undefined);
  });

  test('transition is a compare-and-set: of two racing moves out of queued, one wins', async () => {
    const store = await tasksOn(backend);
    const { id } = await store.createTask(task());
    const moves = await Promise.all([
      store.transition(id, ['queued'], 'running', { startedAt: 'now', runs: 1 }),
      store.transition(id, ['queued'], 'cancelled'),
    ]);
    assert.equal(moves.filter(Boolean).length, 1);
    const current = await store.getTask(id);
    assert.equal(current?.status, moves[0] ? 'running' : 'cancelled');
  });

  test('a guarded transition moves only while the task is still in the run that asks', async () => {
    const store = await tasksOn(backend);
    const { id } = await store.createTask(task());
    await store.transition(id, ['queued'], 'running', { runs: 1 });
    // Another worker took the task over: run 2.
    await store.transition(id, ['running'], 'running', { runs: 2 });
    assert.equal(await store.transition(id, ['running'], 'queued', {}, { runs: 1 }), false);
    assert.equal((await store.getTask(id))?.status, 'running');
    assert.equal(
      await store.transition(
        id,
        ['running'],
        'succeeded',
        { finishedAt: 'x', report: undefined },
        { runs: 2 },
      ),
      true,
    );
    assert.deepEqual(
      [(await store.getTask(id))?.status, (await store.getTask(id))?.finishedAt],
      ['succeeded', 'x'],
    );
  });

  test('starts guarded by a team limit never exceed it, even all at once', async () => {
    const store = await tasksOn(backend);
    const red = await Promise.all([1, 2, 3, 4, 5].map(() => store.createTask(task('red'))));
    const blue = await store.createTask(task('blue'));
    const started = await Promise.all(
      red.map((t) => store.transition(t.id, ['queued'], 'running', { runs: 1 }, { runs: 0, teamLimit: 2 })),
    );
    assert.equal(started.filter(Boolean).length, 2);
    assert.equal(await store.activeCount('red'), 2);
    assert.equal(await store.transition(blue.id, ['queued'], 'running', {}, { teamLimit: 1 }), true);
  });

  test('tasks list newest first, filtered by status and team, paged with a cursor', async () => {
    const store = await tasksOn(backend);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.createTask(task(i % 2 ? 'blue' : 'red'))).id);
    await store.transition(ids[0] as string, ['queued'], 'running');
    const first = await store.listTasks({ limit: 2 });
    assert.deepEqual(
      first.tasks.map((t) => t.id),
      [ids[4], ids[3]],
    );
    const second = await store.listTasks({ limit: 2, cursor: first.next as string });
    assert.deepEqual(
      second.tasks.map((t) => t.id),
      [ids[2], ids[1]],
    );
    const last = await store.listTasks({ limit: 2, cursor: second.next as string });
    assert.deepEqual([last.tasks.map((t) => t.id), last.next], [[ids[0]], undefined]);
    assert.deepEqual(
      (await store.listTasks({ limit: 10, teams: ['blue'] })).tasks.map((t) => t.id),
      [ids[3], ids[1]],
    );
    assert.deepEqual(
      (await store.listTasks({ limit: 10, status: ['running'] })).tasks.map((t) => t.id),
      [ids[0]],
    );
    assert.deepEqual((await store.listTasks({ limit: 10, teams: [] })).tasks, []);
    assert.equal(await store.activeCount('red'), 1);
  });

  test('updates write what they set and leave the rest', async () => {
    const store = await tasksOn(backend);
    const { id } = await store.createTask(task());
    await store.updateTask(id, { error: { code: 'x', message: 'y' }, runs: 3 });
    const updated = await store.getTask(id);
    assert.deepEqual(
      [updated?.error, updated?.runs, updated?.status],
      [{ code: 'x', message: 'y' }, 3, 'queued'],
    );
  });

  test('spend adds up per task and per team; unpriced turns leave cost unknown', async () => {
    const store = await tasksOn(backend);
    const a = await store.createTask(task('red'));
    const b = await store.createTask(task('red'));
    await store.addSpend(a.id, { tokens: 100, cost: 0 });
    assert.equal((await store.getTask(a.id))?.cost, undefined);
    await store.addSpend(a.id, { tokens: 50, cost: 0.25 });
    await store.addSpend(b.id, { tokens: 10, cost: 0.5 });
    assert.deepEqual(await store.teamSpend('red'), { tokens: 160, cost: 0.75 });
    assert.deepEqual(await store.teamSpend('blue'), { tokens: 0, cost: 0 });
    assert.equal((await store.getTask(a.id))?.tokens, 150);
  });

  test('an approval is answered once; expiring closes what is still pending', async () => {
    const store = await tasksOn(backend);
    const approval = { taskId: 't1', team: 'red', callId: 'c', tool: 'shell', summary: 's', reason: 'r' };
    const a = await store.createApproval(approval);
    const b = await store.createApproval(approval);
    assert.deepEqual(await store.getApproval(a.id), a);
    const answered = await store.decideApproval(a.id, { decision: 'allow', scope: 'session', by: 'abe' });
    assert.deepEqual([answered?.status, answered?.scope, answered?.decidedBy], ['allowed', 'session', 'abe']);
    assert.equal(await store.decideApproval(a.id, { decision: 'deny', scope: 'once', by: 'x' }), undefined);
    await store.expireApprovals('t1');
    assert.equal((await store.getApproval(b.id))?.status, 'expired');
    assert.equal((await store.getApproval(a.id))?.status, 'allowed');
    assert.deepEqual((await store.listApprovals({ status: 'pending', limit: 10 })).length, 0);
    assert.equal((await store.listApprovals({ teams: ['blue'], limit: 10 })).length, 0);
    assert.deepEqual(
      (await store.listApprovals({ taskId: 't1', limit: 10 })).map((x) => x.id),
      [a.id, b.id],
    );
  });

  test('steering messages are taken once each, in order', async () => {
    const store = await tasksOn(backend);
    await store.addSteering({ taskId: 't1', text: 'one', from: 'a' });
    await store.addSteering({ taskId: 't1', text: 'two', from: 'b' });
    await store.addSteering({ taskId: 't2', text: 'other', from: 'a' });
    assert.deepEqual(
      (await store.takeSteering('t1')).map((m) => [m.text, m.from]),
      [
        ['one', 'a'],
        ['two', 'b'],
      ],
    );
    assert.deepEqual(await store.takeSteering('t1'), []);
    assert.equal((await store.takeSteering('t2')).length, 1);
  });
});

onBothBackends('account store', (backend) => {
  const team = {
    id: 'red',
    budgetTokens: 1000,
    budgetCost: undefined,
    concurrency: 2,
    repositories: ['/srv/a'],
    policies: undefined,
  };

  test('teams, users and tokens round-trip; "all" is kept apart from an empty list', async () => {
    const store = await accountsOn(backend);
    assert.equal(await store.countUsers(), 0);
    const created = await store.createTeam(team);
    assert.deepEqual({ ...created, createdAt: undefined }, { ...team, createdAt: undefined });
    assert.deepEqual(await store.getTeam('red'), created);
    await store.createTeam({ ...team, id: 'none', repositories: [], policies: [], budgetCost: 2.5 });
    assert.deepEqual((await store.getTeam('none'))?.repositories, []);
    assert.equal((await store.getTeam('none'))?.budgetCost, 2.5);
    assert.equal((await store.getTeam('red'))?.policies, undefined);
    assert.deepEqual(
      (await store.listTeams()).map((t) => t.id),
      ['none', 'red'],
    );
    await store.createUser({ id: 'alice', team: 'red', role: 'operator' });
    assert.equal((await store.getUser('alice'))?.role, 'operator');
    assert.equal(await store.countUsers(), 1);
    assert.deepEqual(
      (await store.listUsers()).map((u) => u.id),
      ['alice'],
    );
    await store.createToken({ id: 'abcd', userId: 'alice', name: 'ci', hash: 'h' });
    assert.equal((await store.getToken('abcd'))?.revokedAt, undefined);
    assert.equal(await store.revokeToken('abcd'), true);
    assert.equal(await store.revokeToken('abcd'), false, 'revoked once');
    assert.ok((await store.getToken('abcd'))?.revokedAt);
    assert.equal(await store.getTeam('ghost'), undefined);
  });

  test('a user must belong to a team that exists', async () => {
    const store = await accountsOn(backend);
    await assert.rejects(store.createUser({ id: 'bob', team: 'ghost', role: 'viewer' }));
  });
});

onBothBackends('gateway key store', (backend) => {
  const keysOn = async (): Promise<KeyStore> =>
    backend.kind === 'sqlite' ? openSqliteKeyStore(':memory:') : pgKeyStore(await backend.pool());
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
    const store = await keysOn();
    const created = await store.createKey(key('wk-000000000001'));
    assert.deepEqual(created.spent, { tokens: 0, cost: 0, calls: 0 });
    assert.deepEqual(
      [created.budgetTokens, created.budgetCost, created.revokedAt],
      [1000, undefined, undefined],
    );
    await store.addKeySpend(created.id, { tokens: 110, cost: 0.5 });
    await store.addKeySpend(created.id, { tokens: 10, cost: 0 });
    assert.deepEqual((await store.keyByHash('wk-000000000001-hash'))?.spent, {
      tokens: 120,
      cost: 0.5,
      calls: 2,
    });
    assert.deepEqual(await store.getKey(created.id), await store.keyByHash('wk-000000000001-hash'));
  });

  test('a revoked key no longer authenticates or lists, but its spend still counts for its team', async () => {
    const store = await keysOn();
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
});
