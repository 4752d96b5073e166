import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApiApprover } from './api-approver.ts';
import { openSqliteTaskStore } from './sqlite-task-store.ts';
import { createLocalTaskBus } from './task-bus.ts';

const request = { callId: 'c1', tool: 'shell', summary: 'shell: sleep 1', reason: 'matches no rule' };

function setup() {
  const store = openSqliteTaskStore(':memory:');
  const bus = createLocalTaskBus();
  const waiting: boolean[] = [];
  const abort = new AbortController();
  const approver = createApiApprover({
    store,
    bus,
    task: { id: 't1', team: 'red' },
    signal: abort.signal,
    onWaiting: async (w) => {
      waiting.push(w);
    },
    pollMs: 10_000,
  });
  const pending = async () => {
    for (let i = 0; i < 50; i++) {
      const [first] = await store.listApprovals({ status: 'pending', limit: 10 });
      if (first) return first;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('no pending approval appeared');
  };
  return { store, bus, approver, waiting, abort, pending };
}

test('an ask parks as a pending approval until someone answers it; their answer and name come back', async () => {
  const { store, bus, approver, waiting, pending } = setup();
  const answer = approver.ask(request);
  const approval = await pending();
  assert.equal(approval.summary, 'shell: sleep 1');
  assert.deepEqual(waiting, [true]);
  await store.decideApproval(approval.id, { decision: 'allow', scope: 'session', by: 'alice' });
  bus.publish('t1', { kind: 'approval', approvalId: approval.id });
  assert.equal(await answer, 'session');
  assert.equal(approver.by, 'alice');
  assert.deepEqual(waiting, [true, false]);
});

test('a denial comes back as deny, and an answer once as once', async () => {
  const { store, bus, approver, pending } = setup();
  const first = approver.ask(request);
  const a = await pending();
  await store.decideApproval(a.id, { decision: 'deny', scope: 'once', by: 'bob' });
  bus.publish('t1', { kind: 'approval', approvalId: a.id });
  assert.equal(await first, 'deny');
  const second = approver.ask(request);
  const b = await pending();
  await store.decideApproval(b.id, { decision: 'allow', scope: 'once', by: 'bob' });
  bus.publish('t1', { kind: 'approval', approvalId: b.id });
  assert.equal(await second, 'once');
});

test('a stopped task gives up its question: the approval expires and the session is told to stop', async () => {
  const { store, approver, abort, pending } = setup();
  const answer = approver.ask(request);
  const approval = await pending();
  abort.abort();
  assert.equal(await answer, 'fail');
  assert.equal((await store.getApproval(approval.id))?.status, 'expired');
  assert.equal(
    await store.decideApproval(approval.id, { decision: 'allow', scope: 'once', by: 'x' }),
    undefined,
  );
});
