import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { WardenEvent } from '../agent/events.ts';
import { type Backend, onBothBackends } from '../store/testing/both-stores.ts';
import { openPgTaskBus } from './pg-task-bus.ts';
import { openPgTaskQueue } from './pg-task-queue.ts';
import { createLocalTaskBus, type TaskBus, type TaskNotice } from './task-bus.ts';
import { createLocalTaskQueue, type TaskJob, type TaskQueue } from './task-queue.ts';

/**
 * The same tests on the in-process queue and bus and on their PostgreSQL counterparts (pg-boss,
 * LISTEN/NOTIFY). PostgreSQL is asynchronous across connections, so the tests wait for what they
 * expect (`eventually`) and give a moment for what must not happen (`stays`).
 */

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const release of gated) for (const finish of release.values()) finish();
  for (const close of closers.reverse()) await close().catch(() => undefined);
});

async function eventually(what: string, check: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
const stays = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface QueueOptions {
  concurrency: number;
  teamLimits?: Record<string, number>;
  defaultTeamLimit?: number;
  retryLimit?: number;
}

async function queueOn(backend: Backend, options: QueueOptions): Promise<TaskQueue> {
  const own = (team: string) => options.teamLimits?.[team];
  const fallback = options.defaultTeamLimit ?? 10;
  if (backend.kind === 'sqlite') {
    return createLocalTaskQueue({
      concurrency: options.concurrency,
      teamLimit: async (t) => own(t) ?? fallback,
    });
  }
  const queue = await openPgTaskQueue({
    url: await backend.url(),
    concurrency: options.concurrency,
    teamLimit: async (t) => own(t),
    defaultTeamLimit: fallback,
    timing: {
      heartbeatSeconds: 10,
      pollSeconds: 0.5,
      superviseSeconds: 1,
      retryLimit: options.retryLimit ?? 2,
    },
    log: () => undefined,
  });
  closers.push(async () => {
    await queue.stop();
    await queue.close();
  });
  return queue;
}

const gated: Array<Map<string, () => void>> = [];

/** A handler whose jobs finish only when the test says so (or when the file ends). */
function gatedRunner() {
  const started: string[] = [];
  const release = new Map<string, () => void>();
  gated.push(release);
  return {
    started,
    run: (job: TaskJob) =>
      new Promise<void>((resolve) => {
        started.push(job.taskId);
        release.set(job.taskId, resolve);
      }),
    finish: (id: string) => release.get(id)?.(),
  };
}

const job = (taskId: string, team = 'red', repository = `/r/${taskId}`): TaskJob => ({
  taskId,
  team,
  repository,
});

onBothBackends('task queue', (backend) => {
  test('at most `concurrency` jobs run at once; the next starts when one finishes', async () => {
    const queue = await queueOn(backend, { concurrency: 2 });
    const runner = gatedRunner();
    for (const id of ['a', 'b', 'c', 'd']) await queue.enqueue(job(id));
    queue.start(runner.run);
    await eventually('two jobs to start', () => runner.started.length === 2);
    await stays(400);
    assert.equal(runner.started.length, 2);
    assert.equal(queue.active, 2);
    runner.finish(runner.started[0] as string);
    await eventually('a third job to start', () => runner.started.length === 3);
    assert.equal(new Set(runner.started).size, 3);
  });

  // The queue schedules by team limits; two workers claiming in the same instant can still both
  // fit (pg-boss counts without a lock), which the runner's guarded start settles (stores.test.ts).
  test('a team at its limit waits while other teams go ahead', async () => {
    const queue = await queueOn(backend, { concurrency: 4, teamLimits: { red: 1 } });
    const runner = gatedRunner();
    queue.start(runner.run);
    await queue.enqueue(job('r1', 'red'));
    await eventually('the first red job to start', () => runner.started.length === 1);
    await queue.enqueue(job('r2', 'red'));
    await queue.enqueue(job('b1', 'blue'));
    await eventually('the blue job to start', () => runner.started.length === 2);
    await stays(400);
    assert.deepEqual(runner.started, ['r1', 'b1']);
    runner.finish('r1');
    await eventually('the second red job to start', () => runner.started.includes('r2'));
  });

  test('two tasks on one repository never run at once', async () => {
    const queue = await queueOn(backend, { concurrency: 4 });
    const runner = gatedRunner();
    await queue.enqueue(job('a', 'red', '/repo'));
    await queue.enqueue(job('b', 'red', '/repo'));
    queue.start(runner.run);
    await eventually('one job to start', () => runner.started.length === 1);
    await stays(400);
    assert.equal(runner.started.length, 1);
    runner.finish(runner.started[0] as string);
    await eventually('the other job to start', () => runner.started.length === 2);
  });

  test('a job queued twice runs once', async () => {
    const queue = await queueOn(backend, { concurrency: 2 });
    const started: string[] = [];
    await queue.enqueue(job('once'));
    await queue.enqueue(job('once'));
    queue.start(async (j) => {
      started.push(j.taskId);
    });
    await eventually('the job to run', () => started.length === 1);
    await stays(400);
    assert.deepEqual(started, ['once']);
  });

  test('stop takes no new jobs and resolves once the active ones returned', async () => {
    const queue = await queueOn(backend, { concurrency: 1 });
    const runner = gatedRunner();
    await queue.enqueue(job('a', 'red', '/same'));
    await queue.enqueue(job('b', 'red', '/same'));
    queue.start(runner.run);
    await eventually('a job to start', () => runner.started.length === 1);
    let stopped = false;
    const stopping = queue.stop().then(() => {
      stopped = true;
    });
    await stays(300);
    assert.equal(stopped, false, 'still waiting for the active job');
    runner.finish(runner.started[0] as string);
    await stopping;
    await stays(300);
    assert.equal(runner.started.length, 1, 'the other stays queued');
  });

  test('a job whose handler throws frees its place', async () => {
    const queue = await queueOn(backend, { concurrency: 1 });
    const started: string[] = [];
    await queue.enqueue(job('boom', 'red', '/one'));
    queue.start(async (j) => {
      started.push(j.taskId);
      if (j.taskId === 'boom') throw new Error('boom');
    });
    await eventually('the failing job to run', () => started.includes('boom'));
    await queue.enqueue(job('next', 'red', '/two'));
    await eventually('the next job to run', () => started.includes('next'));
  });

  const pgOnly =
    backend.kind === 'sqlite' ? { skip: 'the in-process queue runs a job once, never again' } : {};
  test('a job that keeps failing past its retries comes back once more, given up', pgOnly, async () => {
    const queue = await queueOn(backend, { concurrency: 1, retryLimit: 1 });
    const seen: string[] = [];
    await queue.enqueue(job('doomed'));
    queue.start(async (j) => {
      seen.push(j.givenUp ? 'given up' : j.takeover ? 'again' : 'first');
      if (!j.givenUp) throw new Error('the worker died');
    });
    await eventually('the job to be given up', () => seen.includes('given up'), 15_000);
    assert.deepEqual(seen, ['first', 'again', 'given up']);
  });
});

const event = (seq: number) =>
  ({ v: 1, session: 't1', seq, type: 'model.request' }) as unknown as WardenEvent;
const seqOf = (notice: TaskNotice) =>
  notice.kind === 'event' ? notice.event.seq : notice.kind === 'stored' ? notice.seq : undefined;

onBothBackends('task bus', (backend) => {
  /** Two ends of the bus: in one process they are one bus, with PostgreSQL two processes' buses. */
  async function ends(): Promise<[TaskBus, TaskBus]> {
    if (backend.kind === 'sqlite') {
      const bus = createLocalTaskBus();
      return [bus, bus];
    }
    const url = await backend.url();
    const pool = await backend.pool(url);
    const a = await openPgTaskBus({ url, pool, log: () => undefined });
    const b = await openPgTaskBus({ url, pool, log: () => undefined });
    closers.push(a.close, b.close);
    return [a, b];
  }

  test('a notice reaches the listeners of its task, in order, and no one else', async () => {
    const [api, worker] = await ends();
    const heard: TaskNotice[] = [];
    const other: TaskNotice[] = [];
    const unsubscribe = worker.subscribe('t1', (n) => heard.push(n));
    worker.subscribe('t2', (n) => other.push(n));
    api.publish('t1', { kind: 'cancel' });
    api.publish('t1', { kind: 'event', event: event(7) });
    api.publish('t1', { kind: 'status', status: 'running' });
    await eventually('three notices', () => heard.length === 3);
    assert.equal(heard[0]?.kind, 'cancel');
    assert.equal(seqOf(heard[1] as TaskNotice), 7, 'an event, or where events are stored up to');
    assert.deepEqual(heard[2], { kind: 'status', status: 'running' });
    unsubscribe();
    api.publish('t1', { kind: 'steering' });
    await stays(300);
    assert.equal(heard.length, 3, 'nothing after unsubscribing');
    assert.deepEqual(other, []);
  });

  test('the publisher hears its own notices at once, with the event itself', async () => {
    const [api] = await ends();
    const heard: TaskNotice[] = [];
    api.subscribe('t1', (n) => heard.push(n));
    api.publish('t1', { kind: 'event', event: event(1) });
    assert.deepEqual(heard, [{ kind: 'event', event: event(1) }]);
    await stays(200);
    assert.equal(heard.length, 1, 'not a second time through the database');
  });
});
