import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalTaskQueue, overlaps, type TaskJob } from './task-queue.ts';

/** A handler whose jobs finish only when the test says so. */
function gatedRunner() {
  const started: string[] = [];
  const release = new Map<string, () => void>();
  return {
    started,
    run: (job: TaskJob) =>
      new Promise<void>((resolve) => {
        started.push(job.taskId);
        release.set(job.taskId, resolve);
      }),
    finish: async (id: string) => {
      release.get(id)?.();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const job = (taskId: string, team = 'red', repository = `/r/${taskId}`): TaskJob => ({
  taskId,
  team,
  repository,
});

test('at most `concurrency` jobs run at once; the next starts when one finishes, oldest first', async () => {
  const queue = createLocalTaskQueue({ concurrency: 2, teamLimit: async () => 10 });
  const runner = gatedRunner();
  queue.start(runner.run);
  for (const id of ['a', 'b', 'c', 'd']) await queue.enqueue(job(id));
  await tick();
  assert.deepEqual(runner.started, ['a', 'b']);
  assert.equal(queue.active, 2);
  await runner.finish('a');
  await tick();
  assert.deepEqual(runner.started, ['a', 'b', 'c']);
});

test('a team at its limit waits while other teams go ahead', async () => {
  const queue = createLocalTaskQueue({ concurrency: 4, teamLimit: async (team) => (team === 'red' ? 1 : 4) });
  const runner = gatedRunner();
  queue.start(runner.run);
  await queue.enqueue(job('r1', 'red'));
  await queue.enqueue(job('r2', 'red'));
  await queue.enqueue(job('b1', 'blue'));
  await tick();
  assert.deepEqual(runner.started, ['r1', 'b1']);
  await runner.finish('r1');
  await tick();
  assert.deepEqual(runner.started, ['r1', 'b1', 'r2']);
});

test('two tasks on one repository never run at once', async () => {
  const queue = createLocalTaskQueue({ concurrency: 4, teamLimit: async () => 4 });
  const runner = gatedRunner();
  queue.start(runner.run);
  await queue.enqueue(job('a', 'red', '/repo'));
  await queue.enqueue(job('b', 'red', '/repo'));
  await tick();
  assert.deepEqual(runner.started, ['a']);
  await runner.finish('a');
  await tick();
  assert.deepEqual(runner.started, ['a', 'b']);
});

test('stop takes no new jobs and resolves once the active ones returned', async () => {
  const queue = createLocalTaskQueue({ concurrency: 1, teamLimit: async () => 4 });
  const runner = gatedRunner();
  queue.start(runner.run);
  await queue.enqueue(job('a'));
  await queue.enqueue(job('b'));
  await tick();
  let stopped = false;
  const stopping = queue.stop().then(() => {
    stopped = true;
  });
  await tick();
  assert.equal(stopped, false, 'still waiting for a');
  await runner.finish('a');
  await stopping;
  assert.deepEqual(runner.started, ['a'], 'b stays queued');
});

test('a job whose handler throws frees its place', async () => {
  const queue = createLocalTaskQueue({ concurrency: 1, teamLimit: async () => 4 });
  const started: string[] = [];
  queue.start(async (j) => {
    started.push(j.taskId);
    if (j.taskId === 'a') throw new Error('boom');
  });
  await queue.enqueue(job('a'));
  await queue.enqueue(job('b'));
  await tick();
  await tick();
  assert.deepEqual(started, ['a', 'b']);
});

test('a repository nested in a running task’s tree waits for it, and the other way round', async () => {
  const queue = createLocalTaskQueue({ concurrency: 4, teamLimit: async () => 4 });
  const runner = gatedRunner();
  queue.start(runner.run);
  await queue.enqueue(job('outer', 'red', '/r/a'));
  await queue.enqueue(job('inner', 'red', '/r/a/sub3'));
  await queue.enqueue(job('sibling', 'red', '/r/ab'));
  await tick();
  assert.deepEqual(runner.started, ['outer', 'sibling']);
  await runner.finish('outer');
  await tick();
  assert.deepEqual(runner.started, ['outer', 'sibling', 'inner']);
  assert.ok(overlaps('/r/a/sub3', '/r/a') && overlaps('/r/a', '/r/a') && !overlaps('/r/a', '/r/ab'));
});
