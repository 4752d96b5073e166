import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recoverTasks } from './recovery.ts';
import { openSqliteTaskStore } from './sqlite-task-store.ts';

test('tasks a dead process left running go back to the queue, their open questions expired', async () => {
  const store = openSqliteTaskStore(':memory:');
  const make = () =>
    store.createTask({
      team: 'red',
      createdBy: 'a',
      repository: '/r',
      instruction: 'i',
      model: 'm',
      policy: 'default',
      limits: {},
    });
  const queued = await make();
  const running = await make();
  const parked = await make();
  const done = await make();
  await store.transition(running.id, ['queued'], 'running', { runs: 1 });
  await store.transition(parked.id, ['queued'], 'waiting_approval', { runs: 1 });
  await store.transition(done.id, ['queued'], 'succeeded');
  const question = await store.createApproval({
    taskId: parked.id,
    team: 'red',
    callId: 'c',
    tool: 'shell',
    summary: 's',
    reason: 'r',
  });

  const recovered = await recoverTasks(store);
  assert.deepEqual(
    recovered.map((t) => t.id),
    [queued.id, running.id, parked.id],
    'everything queued, oldest first',
  );
  assert.ok(recovered.every((t) => t.status === 'queued'));
  assert.equal((await store.getApproval(question.id))?.status, 'expired');
  assert.equal((await store.getTask(done.id))?.status, 'succeeded');
});
