import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { WardenEvent } from '../src/agent/events.ts';
import { attachTask } from '../src/cli/attach-controller.ts';
import { createServerClient } from '../src/cli/server-client.ts';
import type { ControllerState } from '../src/cli/tui/session-controller.ts';
import { warden } from './cli.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';
import { expectScreen, normalise, spawnScreen, type TuiScreen } from './tui-screen.ts';

// `warden attach` as a client of a real `warden serve`: the controller the UI drives, and the
// command's plain follow mode when its output is not a terminal.

let world: ServerWorld;
let served: Served;
let admin: ReturnType<typeof client>;

before(async () => {
  world = await serverWorld();
  served = await startServe(world);
  admin = client(served.url, served.adminToken);
});

after(async () => {
  served?.child.kill('SIGTERM');
  await served?.exited;
  await world?.cleanup();
});

async function startTask(name: string, turns: unknown[], policy?: string): Promise<string> {
  const repository = await world.repo(name);
  const model = await world.script(name, turns);
  const { status, body } = await admin('POST', '/v1/tasks', {
    repository,
    instruction: `task ${name}`,
    model,
    ...(policy ? { policy } : {}),
  });
  assert.equal(status, 201, JSON.stringify(body));
  return body.id;
}

function until(
  check: (state: ControllerState) => boolean,
  watch: (l: (s: ControllerState) => void) => () => void,
) {
  return new Promise<ControllerState>((resolve) => {
    const stop = watch((state) => {
      if (check(state)) {
        queueMicrotask(() => stop());
        resolve(state);
      }
    });
  });
}

test('attached to a task that asks: the question shows with its rule, a key answers it, the task finishes', async () => {
  const id = await startTask('attach-ask', [
    { text: 'Timing it.', calls: [{ tool: 'shell', args: { command: 'sleep 0 && echo approved-run' } }] },
    { text: 'All done.' },
  ]);
  const remote = await attachTask(createServerClient(served.url, served.adminToken as string), id);
  const seen: WardenEvent[] = [];
  remote.subscribe((event) => seen.push(event));
  assert.equal(remote.state.info.remote, true);
  assert.match(remote.state.info.model, /^script:/);

  const asking = await until((s) => s.approvals.length > 0, remote.watch);
  const [question] = asking.approvals;
  assert.equal(question?.tool, 'shell');
  assert.match(question?.reason ?? '', /\S/);
  await waitFor('the server summary of the question', async () =>
    remote.state.approvals[0]?.summary.includes('sleep 0'),
  );
  await remote.answer(question?.callId as string, 'once');
  assert.equal(await remote.ended, 'succeeded');
  assert.equal(remote.state.busy, false);
  assert.deepEqual(remote.state.approvals, []);
  const resolved = seen.find((e) => e.type === 'approval.resolved');
  assert.equal(resolved?.type === 'approval.resolved' && resolved.decision, 'allow');
  const ran = seen.find((e) => e.type === 'tool.finished');
  assert.match(ran?.type === 'tool.finished' ? ran.output : '', /approved-run/);
  // A late subscriber gets the whole history, in order, with no gap.
  const replay: number[] = [];
  remote.subscribe((event) => replay.push(event.seq));
  assert.deepEqual(
    replay,
    seen.map((e) => e.seq),
  );
  assert.deepEqual(
    replay,
    replay.map((_, i) => i + 1),
  );
  await assert.rejects(remote.send('too late'), /has ended \(succeeded\)/);
  await remote.close();
});

test('a message typed while attached is steering: delivered before the next model request', async () => {
  const id = await startTask(
    'attach-steer',
    [{ calls: [{ tool: 'shell', args: { command: 'sleep 1' } }] }, { text: 'Steered.' }],
    'permissive',
  );
  const remote = await attachTask(createServerClient(served.url, served.adminToken as string), id);
  const seen: WardenEvent[] = [];
  remote.subscribe((event) => seen.push(event));
  await waitFor('the command to start', async () => seen.some((e) => e.type === 'tool.started'));
  await remote.send('keep the public API');
  assert.deepEqual(remote.state.queued, ['keep the public API']);
  assert.equal(await remote.ended, 'succeeded');
  const types = seen.map((e) => e.type);
  const steered = seen.find((e) => e.type === 'user.message');
  assert.equal(steered?.type === 'user.message' && steered.text, 'keep the public API');
  assert.ok(types.indexOf('user.message') < types.lastIndexOf('model.request'));
  assert.deepEqual(remote.state.queued, [], 'delivered, no longer queued');
  await remote.close();
});

test('Esc while attached cancels the task; the session records it and the stream ends', async () => {
  const id = await startTask(
    'attach-cancel',
    [{ calls: [{ tool: 'shell', args: { command: 'sleep 30' } }] }],
    'permissive',
  );
  const remote = await attachTask(createServerClient(served.url, served.adminToken as string), id);
  const seen: WardenEvent[] = [];
  remote.subscribe((event) => seen.push(event));
  await waitFor('the command to start', async () => seen.some((e) => e.type === 'tool.started'));
  await remote.interrupt();
  assert.equal(await remote.ended, 'cancelled');
  const finished = seen.find((e) => e.type === 'session.finished');
  assert.equal(finished?.type === 'session.finished' && finished.report.status, 'cancelled');
  await remote.close();
});

test('closing the viewer detaches: the task goes on and finishes on the server', async () => {
  const id = await startTask(
    'attach-detach',
    [{ calls: [{ tool: 'shell', args: { command: 'sleep 1' } }] }, { text: 'ok' }],
    'permissive',
  );
  const remote = await attachTask(createServerClient(served.url, served.adminToken as string), id);
  await until((s) => s.info.sessionId !== undefined, remote.watch);
  await remote.close();
  await waitFor('the task to finish without its viewer', async () => {
    const { body } = await admin('GET', `/v1/tasks/${id}`);
    return body.status === 'succeeded';
  });
});

/** `warden attach TASK` in a terminal of 80×24, as a person runs it. */
async function attachScreen(t: { after(fn: () => Promise<void>): void }, id: string): Promise<TuiScreen> {
  const screen = await spawnScreen(['attach', '--server', served.url, id], {
    cwd: world.dir,
    home: join(world.dir, 'viewer'),
    env: { WARDEN_TOKEN: served.adminToken as string },
  });
  t.after(() => screen.close().then(() => undefined));
  return screen;
}

async function shot(screen: TuiScreen, name: string, id: string): Promise<void> {
  await screen.settle(250);
  await expectScreen(
    name,
    normalise(screen.screen(), { [served.url]: '<server>', [world.repos]: '<repos>', [id]: '<task>' }),
  );
}

test('warden attach in a terminal: the question as a card, o approves it, the task finishes on the screen', async (t) => {
  const id = await startTask('attach-tui-ask', [
    { text: 'Timing it.', calls: [{ tool: 'shell', args: { command: 'sleep 0 && echo approved-run' } }] },
    { text: 'All done.' },
  ]);
  const screen = await attachScreen(t, id);
  await screen.waitFor('[o]nce  [s]ession  [d]eny');
  await shot(screen, 'attach-ask', id);
  screen.type('o');
  await screen.waitFor('All done.');
  await screen.waitFor('● ended · succeeded');
  await shot(screen, 'attach-finished', id);
  const { body } = await admin('GET', `/v1/tasks/${id}`);
  assert.equal(body.status, 'succeeded');
  screen.press('ctrl-c');
  screen.press('ctrl-c');
  assert.equal((await screen.exited).code, 0);
  await screen.settle(0);
  assert.match(screen.scrollback().join('\n'), new RegExp(`task ${id} succeeded`));
});

test('warden attach in a terminal: typing steers the served task, Esc cancels it', async (t) => {
  const wait = 'while [ ! -e .git/go ]; do sleep 0.05; done';
  const id = await startTask(
    'attach-tui-steer',
    [
      { calls: [{ tool: 'shell', args: { command: wait } }] },
      { calls: [{ tool: 'shell', args: { command: 'sleep 30' } }] },
    ],
    'permissive',
  );
  const screen = await attachScreen(t, id);
  await screen.waitFor('running…');
  screen.type('keep the public API');
  screen.press('enter');
  await waitFor('the message to reach the server', async () => {
    const { body } = await admin('GET', `/v1/tasks/${id}/events?format=json`);
    return body.status === 'running' && screen.text().includes('1 queued');
  });
  await writeFile(join(world.repos, 'attach-tui-steer', '.git', 'go'), '');
  await screen.waitFor('steering');
  await screen.waitFor('sleep 30');
  await shot(screen, 'attach-steered', id);
  screen.press('esc');
  await screen.waitFor('cancelled');
  await shot(screen, 'attach-cancelled', id);
  const { body } = await admin('GET', `/v1/tasks/${id}/events?format=json`);
  const steering = body.events.find((e: WardenEvent) => e.type === 'user.message');
  assert.equal(steering?.text, 'keep the public API');
  assert.equal((await admin('GET', `/v1/tasks/${id}`)).body.status, 'cancelled');
});

test('warden attach without a terminal prints the plain live view until the task ends', async () => {
  const id = await startTask('attach-plain', [
    {
      text: 'Fixing.',
      calls: [{ tool: 'edit_file', args: { path: 'src/sum.js', old_string: 'a - b', new_string: 'a + b' } }],
    },
    { text: 'Fixed sum.' },
  ]);
  const run = await warden(['attach', '--server', served.url, id], {
    cwd: world.dir,
    env: { WARDEN_TOKEN: served.adminToken as string },
    timeoutMs: 20_000,
  });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /→ edit_file src\/sum\.js/);
  assert.match(run.stdout, /\+ {2}return a \+ b;/);
  assert.match(run.stdout, /status {4}finished/);
  assert.match(run.stdout, /task succeeded\n$/);
});

test('warden attach: bad input is one line and exit 2', async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['attach'], { WARDEN_TOKEN: 'x' }, /no task given/],
    [['attach', '--server', served.url, 't1'], {}, /no API token — set WARDEN_TOKEN/],
    [['attach', '--server', 'ftp://x', 't1'], { WARDEN_TOKEN: 'x' }, /http:\/\/ or https:\/\//],
    [
      ['attach', '--server', served.url, 't20260101-ffffffffffff'],
      { WARDEN_TOKEN: served.adminToken as string },
      /not found/,
    ],
    [
      ['attach', '--server', served.url, 't1'],
      { WARDEN_TOKEN: 'wdn_bad_token' },
      /WARDEN_TOKEN is not a valid token/,
    ],
    [
      ['attach', '--server', 'http://127.0.0.1:9', 't1'],
      { WARDEN_TOKEN: 'x' },
      /cannot reach the server at http:\/\/127\.0\.0\.1:9/,
    ],
  ];
  for (const [args, env, message] of cases) {
    const run = await warden(args, { cwd: world.dir, env, timeoutMs: 10_000 });
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
});
