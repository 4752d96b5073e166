import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgresMissing, startTestCluster, type TestCluster } from '../src/store/testing/postgres.ts';
import { type Proc, startPgServe, startPgWorker } from './fleet.ts';
import { client, readSse, type Served, type ServerWorld, serverWorld, waitFor } from './server.ts';

/**
 * An API-only server and a worker in other processes, on one PostgreSQL database: what a person
 * does through the API (approve, steer, cancel, follow the stream) reaches the session on the
 * worker through LISTEN/NOTIFY and the shared tables, as it does in one process.
 */

const missing = postgresMissing();
describe('the API and a worker in separate processes', missing ? { skip: missing } : {}, () => {
  let world: ServerWorld;
  let cluster: TestCluster | undefined;
  let served: Served;
  let worker: Proc;
  let admin: ReturnType<typeof client>;

  before(async () => {
    world = await serverWorld();
    cluster = await startTestCluster();
    served = await startPgServe(world, cluster.url);
    worker = await startPgWorker(world, cluster.url, 2);
    admin = client(served.url, served.adminToken as string);
  });
  after(async () => {
    for (const proc of [worker, served]) if (proc && proc.child.exitCode === null) proc.child.kill('SIGTERM');
    const codes = await Promise.all([worker?.exited, served?.exited]);
    await cluster?.stop();
    await world?.cleanup();
    assert.deepEqual(codes, [0, 0], 'both drain and exit 0');
    assert.doesNotMatch(served.output() + worker.output(), /internal error|failed to run/);
  });

  const status = (id: string, wanted: string) =>
    waitFor(`task ${id} to be ${wanted}`, async () => {
      const { body } = await admin('GET', `/v1/tasks/${id}`);
      return body.status === wanted ? body : undefined;
    });
  const eventsOf = async (id: string) =>
    (await admin('GET', `/v1/tasks/${id}/events?format=json`)).body.events as Array<Record<string, unknown>>;

  test('the API streams what the worker does, live, to the end', async () => {
    const repo = await world.repo('stream');
    const model = await world.script('stream', [
      { text: 'a step', calls: [{ tool: 'shell', args: { command: 'sleep 0.5; echo streamed' } }] },
      { text: 'done' },
    ]);
    const { body: task } = await admin('POST', '/v1/tasks', {
      repository: repo,
      instruction: 'x',
      model,
      policy: 'permissive',
    });
    // Subscribed before the worker takes the task: every event arrives as it happens.
    const stream = await readSse(`${served.url}/v1/tasks/${task.id}/events`, served.adminToken as string);
    assert.deepEqual(
      stream.events.map((e) => e.seq),
      stream.events.map((_, i) => i + 1),
    );
    assert.equal(stream.events.at(-1)?.type, 'session.finished');
    assert.deepEqual(stream.messages.at(-1), { event: 'end', data: { status: 'succeeded' } });
    assert.ok(stream.events.some((e) => e.type === 'tool.finished'));
  });

  test('an approval given through the API lets the session on the worker go on', async () => {
    const repo = await world.repo('ask');
    const model = await world.script('ask', [
      { calls: [{ tool: 'shell', args: { command: 'sleep 0 && echo approved-run' } }] },
      { text: 'done' },
    ]);
    const { body: task } = await admin('POST', '/v1/tasks', { repository: repo, instruction: 'x', model });
    await status(task.id, 'waiting_approval');
    const pending = await admin('GET', `/v1/approvals?status=pending&taskId=${task.id}`);
    const [approval] = pending.body.approvals;
    const answered = Date.now();
    assert.equal((await admin('POST', `/v1/approvals/${approval.id}`, { decision: 'allow' })).status, 200);
    await status(task.id, 'succeeded');
    // The worker also polls, every 2 s; the notice is what makes it prompt.
    assert.ok(Date.now() - answered < 1800, `resumed ${Date.now() - answered} ms after the answer`);
    const ran = (await eventsOf(task.id)).find((e) => e.type === 'tool.finished');
    assert.match(String(ran?.output), /approved-run/);
  });

  test('a steering message sent to the API reaches the agent on the worker', async () => {
    const repo = await world.repo('steer');
    const model = await world.script('steer', [
      { calls: [{ tool: 'shell', args: { command: 'sleep 1' } }] },
      { text: 'done' },
    ]);
    const { body: task } = await admin('POST', '/v1/tasks', {
      repository: repo,
      instruction: 'x',
      model,
      policy: 'permissive',
    });
    await waitFor('the command to start', async () =>
      (await eventsOf(task.id)).some((e) => e.type === 'tool.started'),
    );
    assert.equal(
      (await admin('POST', `/v1/tasks/${task.id}/messages`, { text: 'mind the README' })).status,
      202,
    );
    await status(task.id, 'succeeded');
    const steered = (await eventsOf(task.id)).find((e) => e.type === 'user.message');
    assert.equal(steered?.text, 'mind the README');
  });

  test('cancel through the API stops the command on the worker promptly', async () => {
    const repo = await world.repo('cancel');
    const model = await world.script('long', [{ calls: [{ tool: 'shell', args: { command: 'sleep 60' } }] }]);
    const { body: task } = await admin('POST', '/v1/tasks', {
      repository: repo,
      instruction: 'x',
      model,
      policy: 'permissive',
    });
    await waitFor('the command to start', async () =>
      (await eventsOf(task.id)).some((e) => e.type === 'tool.started'),
    );
    const started = Date.now();
    assert.equal((await admin('POST', `/v1/tasks/${task.id}/cancel`)).status, 202);
    const cancelled = await status(task.id, 'cancelled');
    assert.ok(Date.now() - started < 5000, 'stopped well before the command would have ended');
    assert.equal(cancelled.report.status, 'cancelled');
    assert.equal((await admin('GET', `/v1/tasks/${task.id}/audit/verify`)).body.ok, true);
  });
});
