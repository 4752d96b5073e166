import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openSqliteTaskStore } from './sqlite-task-store.ts';
import type { NewTask } from './task-store.ts';

const task = (team = 'red'): NewTask => ({
  team,
  createdBy: 'alice',
  repository: '/srv/repos/a',
  instruction: 'fix it',
  model: 'script:/s.json',
  policy: 'default',
  limits: { turns: 5 },
});

test('a task is created queued and read back as written', async () => {
  const store = openSqliteTaskStore(':memory:');
  const created = await store.createTask(task());
  assert.match(created.id, /^t\d{8}-[0-9a-f]{12}$/);
  assert.equal(created.status, 'queued');
  assert.deepEqual(created.limits, { turns: 5 });
  assert.deepEqual(await store.getTask(created.id), created);
  assert.equal(await store.getTask('t-none'), undefined);
});

test('transition is a compare-and-set: of two racing moves out of queued, one wins', async () => {
  const store = openSqliteTaskStore(':memory:');
  const { id } = await store.createTask(task());
  const [start, cancel] = await Promise.all([
    store.transition(id, ['queued'], 'running', { startedAt: 'now', runs: 1 }),
    store.transition(id, ['queued'], 'cancelled'),
  ]);
  assert.deepEqual([start, cancel], [true, false]);
  const current = await store.getTask(id);
  assert.equal(current?.status, 'running');
  assert.equal(current?.runs, 1);
});

test('tasks list newest first, filtered by status and team, paged with a cursor', async () => {
  const store = openSqliteTaskStore(':memory:');
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
});

test('spend adds up per task and per team; unpriced turns leave cost unknown', async () => {
  const store = openSqliteTaskStore(':memory:');
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
  const store = openSqliteTaskStore(':memory:');
  const approval = { taskId: 't1', team: 'red', callId: 'c', tool: 'shell', summary: 's', reason: 'r' };
  const a = await store.createApproval(approval);
  const b = await store.createApproval(approval);
  const answered = await store.decideApproval(a.id, { decision: 'allow', scope: 'session', by: 'abe' });
  assert.deepEqual([answered?.status, answered?.scope, answered?.decidedBy], ['allowed', 'session', 'abe']);
  assert.equal(await store.decideApproval(a.id, { decision: 'deny', scope: 'once', by: 'x' }), undefined);
  await store.expireApprovals('t1');
  assert.equal((await store.getApproval(b.id))?.status, 'expired');
  assert.equal((await store.getApproval(a.id))?.status, 'allowed');
  assert.deepEqual((await store.listApprovals({ status: 'pending', limit: 10 })).length, 0);
  assert.equal((await store.listApprovals({ teams: ['blue'], limit: 10 })).length, 0);
});

test('steering messages are taken once each, in order', async () => {
  const store = openSqliteTaskStore(':memory:');
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
