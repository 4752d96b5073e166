import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { createEventStream } from '../agent/event-stream.ts';
import type { WardenEvent } from '../agent/events.ts';
import { createGate } from '../agent/gate.ts';
import { openSessionGuards } from '../agent/session-guards.ts';
import { startRegistryServer } from '../broker/testing/registry-server.ts';
import { createHeadlessApprover } from '../policy/approvals.ts';
import { loadPolicy } from '../policy/load.ts';
import type { Decision, Policy, PolicyAction } from '../policy/types.ts';
import { type CommandService, startCommandService } from './command-service.ts';
import { connectService } from './shell-shim.ts';

/** Allows everything but `rm …`; asks about `npm install …`. */
const policy: Policy = {
  source: 'test',
  network: { allow: [] },
  deniedPaths: [],
  limits: {},
  async decide(action: PolicyAction): Promise<Decision> {
    if (action.kind === 'shell' && action.command.startsWith('rm '))
      return { decision: 'deny', policies: ['commands.deny[0]'], reason: 'no deleting' };
    if (action.kind === 'shell' && action.command.startsWith('npm install'))
      return { decision: 'ask', policies: ['commands.ask[0]'], reason: 'installs a package' };
    return { decision: 'allow', policies: ['commands.allow[0]'], reason: 'ok' };
  },
};

let dir: string;
let events: WardenEvent[];
let service: CommandService;
let stops: Array<{ code: string }>;

async function start(mode: 'deny' | 'fail' = 'deny'): Promise<string> {
  const stream = createEventStream('s-test', [(event) => events.push(event)]);
  const socketPath = join(dir, 'commands.sock');
  service = await startCommandService({
    socketPath,
    gate: createGate({
      policy,
      approver: createHeadlessApprover(mode),
      events: stream,
      workspaceRoot: '/repo',
    }),
    events: stream,
    workspaceRoot: '/repo',
    stop: (reason) => stops.push(reason),
  });
  return socketPath;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-commands-'));
  events = [];
  stops = [];
});
afterEach(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

const types = () => events.map((event) => event.type);

test('an allowed command is on record before it runs, and its exit after', async () => {
  const client = connectService(await start());
  assert.deepEqual(await client.ask({ type: 'judge', via: 'bash', command: 'npm test', cwd: '/repo/pkg' }), {
    decision: 'allow',
  });
  assert.deepEqual(types(), ['tool.requested', 'policy.decided', 'tool.started']);
  assert.deepEqual(events[0]?.type === 'tool.requested' && events[0].args, {
    command: 'npm test',
    via: 'bash',
    cwd: 'pkg',
  });
  assert.deepEqual(await client.ask({ type: 'exit', exitCode: 3, signal: null }), { ok: true });
  client.close();
  const finished = events.at(-1);
  assert.equal(finished?.type, 'tool.finished');
  assert.deepEqual(finished?.type === 'tool.finished' && [finished.ok, finished.command?.exitCode], [
    false,
    3,
  ]);
  assert.deepEqual(
    service.commands.map((run) => [run.command, run.exitCode]),
    [['npm test', 3]],
  );
});

test('a denied command gets the reason and ends on the record at once, never started', async () => {
  const client = connectService(await start());
  const answer = await client.ask({ type: 'judge', via: 'sh', command: 'rm -rf src', cwd: '/repo' });
  client.close();
  assert.equal(answer.decision, 'deny');
  assert.match(String(answer.reason), /denied by policy \(commands\.deny\[0\]\): no deleting/);
  assert.deepEqual(types(), ['tool.requested', 'policy.decided', 'tool.finished']);
  assert.equal(service.commands.length, 0);
  assert.equal(service.judged, 1);
});

test('an ask with --approvals fail is refused and stops the session', async () => {
  const client = connectService(await start('fail'));
  const answer = await client.ask({
    type: 'judge',
    via: 'bash',
    command: 'npm install left-pad',
    cwd: '/repo',
  });
  client.close();
  assert.equal(answer.decision, 'deny');
  assert.deepEqual(
    stops.map((stop) => stop.code),
    ['approval.required'],
  );
});

test('a shim that dies mid-command still leaves the command ended on the record', async () => {
  const client = connectService(await start());
  await client.ask({ type: 'judge', via: 'bash', command: 'sleep 100', cwd: '/repo' });
  client.close();
  await waitFor(() => events.at(-1)?.type === 'tool.finished');
  const finished = events.at(-1);
  assert.equal(
    finished?.type === 'tool.finished' && finished.output,
    'ended without reporting an exit status',
  );
});

test("a hook's outcome arrives on a connection of its own, by the call's reference; only once", async () => {
  const socketPath = await start();
  const pre = connectService(socketPath);
  await pre.ask({ type: 'judge', via: 'claude.Bash', command: 'ls', cwd: '/repo', ref: 'toolu_1' });
  pre.close();
  const post = connectService(socketPath);
  assert.deepEqual(await post.ask({ type: 'exit', ref: 'toolu_1', exitCode: 0, signal: null }), { ok: true });
  assert.deepEqual(await post.ask({ type: 'exit', ref: 'toolu_1', exitCode: 1, signal: null }), {
    ok: false,
  });
  post.close();
  assert.deepEqual(
    service.commands.map((run) => run.exitCode),
    [0],
  );
});

test('garbage from inside the sandbox gets an error line, never a crash', async () => {
  const socketPath = await start();
  const replies = await new Promise<string>((resolve) => {
    const socket = net.connect(socketPath);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.split('\n').length > 3) socket.end();
    });
    socket.on('close', () => resolve(text));
    socket.write('not json\n[1]\n{"type":"judge"}\n');
  });
  assert.deepEqual(
    replies
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
    [
      { error: 'each line must be a JSON object' },
      { error: 'each line must be a JSON object' },
      { decision: 'deny', reason: 'no command to judge' },
    ],
  );
  assert.equal(events.length, 0);
});

test("a made-up package is denied by the session guards' registry check, as in warden exec", async () => {
  // What `warden wrap` builds: the policy allows dependencies, the guards look each one up.
  const registry = await startRegistryServer([
    { ecosystem: 'npm', name: 'express', ageDays: 5000, downloads: 30_000_000 },
  ]);
  try {
    const root = join(dir, 'repo');
    await mkdir(root);
    await writeFile(
      join(dir, 'policy.yaml'),
      'version: 1\nfiles: { read: ["*"], write: ["*"] }\ncommands: { allow: ["*"] }\ndependencies: allow\n',
    );
    const realPolicy = await loadPolicy(join(dir, 'policy.yaml'));
    const env = {
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, 'xdg'),
      WARDEN_NPM_REGISTRY: registry.endpoints.npm,
      WARDEN_NPM_DOWNLOADS: registry.endpoints.npmDownloads ?? 'off',
    };
    const guards = await openSessionGuards({ root, policy: realPolicy, env, sandbox: { mask() {} } });
    const stream = createEventStream('s-test', [(event) => events.push(event)]);
    const socketPath = join(dir, 'commands.sock');
    service = await startCommandService({
      socketPath,
      gate: createGate({
        policy: realPolicy,
        approver: createHeadlessApprover('deny'),
        events: stream,
        workspaceRoot: root,
        checkDependency: guards.launch.checkDependency,
      }),
      events: stream,
      workspaceRoot: root,
    });
    const client = connectService(socketPath);
    const made = await client.ask({
      type: 'judge',
      via: 'bash',
      command: 'npm install hallucinated-pkg-xyz',
      cwd: root,
    });
    const real = await client.ask({ type: 'judge', via: 'bash', command: 'npm install express', cwd: root });
    client.close();
    assert.equal(made.decision, 'deny');
    assert.match(String(made.reason), /hallucinated-pkg-xyz/);
    assert.equal(real.decision, 'allow');
    assert.ok(registry.requests.some((path) => path.includes('hallucinated-pkg-xyz')));
    const flagged = events.filter((event) => event.type === 'guard.flagged');
    assert.ok(flagged.some((event) => JSON.stringify(event).includes('hallucinated-pkg-xyz')));
    assert.deepEqual(
      service.commands.map((run) => run.command),
      [],
    );
  } finally {
    await registry.close();
  }
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), 'timed out waiting');
}
