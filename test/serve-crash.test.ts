import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WARDEN } from './cli.ts';
import {
  client,
  type Served,
  type ServerWorld,
  serverWorld,
  startServe as start,
  waitFor,
} from './server.ts';

let world: ServerWorld;
let token: string;
const servers: Served[] = [];

before(async () => {
  world = await serverWorld();
});
after(async () => {
  // A failed assertion must not leave a server running (and this test process waiting for it).
  for (const served of servers) if (served.child.exitCode === null) served.child.kill('SIGKILL');
  await world?.cleanup();
});

async function startServe(w: ServerWorld): Promise<Served> {
  const served = await start(w);
  servers.push(served);
  return served;
}

type Api = ReturnType<typeof client>;

const eventsOf = async (api: Api, id: string) =>
  (await api('GET', `/v1/tasks/${id}/events?format=json&limit=1000`)).body.events as Array<{
    seq: number;
    type: string;
    report?: { status: string };
  }>;

async function startLongTask(api: Api, name: string, seconds: number): Promise<string> {
  const repo = await world.repo(name);
  const model = await world.script(name, [
    {
      text: 'first a step that takes a while',
      calls: [{ tool: 'shell', args: { command: `sleep ${seconds}` } }],
    },
    { text: 'done' },
  ]);
  const { body } = await api('POST', '/v1/tasks', {
    repository: repo,
    instruction: 'x',
    model,
    policy: 'permissive',
  });
  await waitFor('the long command to start', async () =>
    (await eventsOf(api, body.id)).some((e) => e.type === 'tool.started'),
  );
  return body.id;
}

test('kill -9 mid-task, restart: the task resumes from its checkpoint and finishes; events and audit continuous', async () => {
  const first = await startServe(world);
  token = first.adminToken as string;
  const api = client(first.url, token);
  const id = await startLongTask(api, 'crash', 3);
  const before = await eventsOf(api, id);
  first.child.kill('SIGKILL');
  await first.exited;

  const second = await startServe(world);
  assert.equal(second.adminToken, undefined, 'the admin token is printed on the first start only');
  await waitFor('the resume notice', async () => /resuming 1 interrupted task/.test(second.output()));
  const again = client(second.url, token);
  const task = await waitFor(
    'the resumed task to finish',
    async () => {
      const { body } = await again('GET', `/v1/tasks/${id}`);
      return body.status === 'succeeded' ? body : undefined;
    },
    15_000,
  );
  assert.equal(task.runs, 2, 'a second run resumed it');
  const events = await eventsOf(again, id);
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
    'one gap-free sequence across the crash',
  );
  assert.deepEqual(events.slice(0, before.length), before, 'what was streamed before the crash is unchanged');
  assert.equal(events.filter((e) => e.type === 'session.started').length, 2);
  assert.equal(events.at(-1)?.report?.status, 'finished');
  const verify = await again('GET', `/v1/tasks/${id}/audit/verify`);
  assert.equal(verify.body.ok, true, JSON.stringify(verify.body));

  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});

test('SIGTERM drains: the running task stops at a turn boundary, the server exits 0, the task resumes on restart', async () => {
  const first = await startServe(world);
  const api = client(first.url, token);
  const id = await startLongTask(api, 'drain', 1);
  const queuedRepo = await world.repo('drain-queued');
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0, first.output());
  assert.match(first.output(), /draining/);

  const second = await startServe(world);
  const again = client(second.url, token);
  const model = await world.script('later', [{ text: 'ok' }]);
  // The drained task resumes; a new one queued meanwhile runs too.
  const later = await again('POST', '/v1/tasks', { repository: queuedRepo, instruction: 'x', model });
  for (const task of [id, later.body.id]) {
    await waitFor(
      `task ${task} to finish`,
      async () => (await again('GET', `/v1/tasks/${task}`)).body.status === 'succeeded',
    );
  }
  const { body } = await again('GET', `/v1/tasks/${id}`);
  assert.equal(body.runs, 2);
  const events = await eventsOf(again, id);
  // The first run finished its command and checkpointed before stopping: nothing to redo.
  const firstRun = events.slice(
    0,
    events.findIndex((e, i) => i > 0 && e.type === 'session.started'),
  );
  assert.equal(firstRun.at(-1)?.report?.status, 'cancelled');
  assert.ok(
    firstRun.some((e) => e.type === 'tool.finished'),
    'the command ran to its end before the stop',
  );
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );
  assert.equal((await again('GET', `/v1/tasks/${id}/audit/verify`)).body.ok, true);
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
});

test('a second server on the same data directory is refused, naming the one that runs', async () => {
  const first = await startServe(world);
  const second = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [WARDEN, 'serve', '--port', '0', '--data', world.data], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(world.dir, 'home') },
    });
    let out = '';
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.on('exit', (code) => resolve({ code, out }));
  });
  assert.equal(second.code, 2);
  assert.match(second.out, new RegExp(`process ${first.child.pid} is already serving`));
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);
});
