import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { WardenEvent } from '../src/agent/events.ts';
import { type RegistryServer, startRegistryServer } from '../src/broker/testing/registry-server.ts';
import { type ChatModelServer, startChatModelServer } from './chat-model-server.ts';
import { PERMISSIVE_POLICY, warden } from './cli.ts';
import { type GitHttpServer, startGitHttpServer } from './git-http-server.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

// A server session gets the guards `warden exec` has: the broker takes a token out of the remote
// URL before the agent reads .git/config, and a made-up package is denied before it is installed.

const TOKEN = 'ghp_ServerSideTokenThatMustNeverLeak0123456';

let world: ServerWorld;
let served: Served;
let admin: ReturnType<typeof client>;
let registry: RegistryServer;
let gitServer: GitHttpServer;
let model: ChatModelServer;
let bare: string;

const git = (cwd: string, ...args: string[]) => {
  const result = spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    cwd,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
};

before(async () => {
  world = await serverWorld();
  registry = await startRegistryServer([
    { ecosystem: 'npm', name: 'express', ageDays: 5000, downloads: 30_000_000, version: '4.21.2' },
  ]);
  const servedGit = join(world.dir, 'served');
  await mkdir(servedGit);
  git(servedGit, 'init', '-q', '--bare', 'repo.git');
  bare = join(servedGit, 'repo.git');
  gitServer = await startGitHttpServer({ projectRoot: servedGit, username: 'x-access-token', token: TOKEN });
  model = await startChatModelServer([
    { calls: [{ tool: 'shell', args: { command: 'cat .git/config; git remote -v' } }] },
    { calls: [{ tool: 'read_file', args: { path: '.git/config' } }] },
    { calls: [{ tool: 'shell', args: { command: 'env; git config --list' } }] },
    { calls: [{ tool: 'shell', args: { command: 'git push origin warden/fix' } }] },
    { text: 'pushed' },
  ]);
  // The server's own user config: the model's base URL and the registries (never the repository's).
  await model.writeUserConfig(
    join(world.dir, 'home', '.config'),
    `registries:\n  npm: ${registry.endpoints.npm}\n`,
  );
  await writeFile(
    join(world.dir, 'push.policy.yaml'),
    `${PERMISSIVE_POLICY}git:\n  push: ["warden/*"]\nsecrets:\n  git-127-0-0-1: ["git.push"]\ndependencies: allow\n`,
  );
  await writeFile(
    join(world.data, 'server.yaml'),
    [
      `repositories: [${JSON.stringify(world.repos)}]`,
      `models: [${JSON.stringify(`script:${world.scripts}/*`)}, ${JSON.stringify(model.modelId)}]`,
      `policies: { push: ${JSON.stringify(join(world.dir, 'push.policy.yaml'))} }`,
    ].join('\n'),
  );
  served = await startServe(world, { WARDEN_NPM_DOWNLOADS: registry.endpoints.npmDownloads ?? '' });
  admin = client(served.url, served.adminToken);
});

after(async () => {
  if (served?.child.exitCode === null) {
    served.child.kill('SIGTERM');
    await served.exited;
  }
  await Promise.all([registry?.close(), gitServer?.close(), model?.close()]);
  await world?.cleanup();
});

async function finished(id: string): Promise<{ task: Record<string, unknown>; events: WardenEvent[] }> {
  const task = await waitFor(
    `task ${id} to end`,
    async () => {
      const { body } = await admin('GET', `/v1/tasks/${id}`);
      return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
    },
    20_000,
  );
  const { body } = await admin('GET', `/v1/tasks/${id}/events?format=json&limit=1000`);
  return { task, events: body.events };
}

const byCall = (events: WardenEvent[]) => {
  const ids = events.flatMap((e) => (e.type === 'tool.requested' ? [e.callId] : []));
  return (n: number, type: WardenEvent['type']) =>
    events.filter((e) => e.type === type && 'callId' in e && e.callId === ids[n]) as Array<
      WardenEvent & Record<string, unknown>
    >;
};

test("a token in the repository's origin URL is moved to the broker: it pushes with it, and the token reaches no event, audit record or model request", async () => {
  const repo = await world.repo('origin-token');
  const origin = `http://127.0.0.1:${gitServer.port}/repo.git`;
  git(repo, 'remote', 'add', 'origin', origin.replace('http://', `http://x-access-token:${TOKEN}@`));
  git(repo, 'checkout', '-qb', 'warden/fix');

  const created = await admin('POST', '/v1/tasks', {
    repository: repo,
    instruction: 'push the fix',
    model: model.modelId,
    policy: 'push',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { task, events } = await finished(created.body.id);
  assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
  const call = byCall(events);

  const flagged = events.find((e) => e.type === 'guard.flagged');
  assert.equal(flagged?.type === 'guard.flagged' && flagged.rule, 'credential-in-remote-url');
  assert.match(String(call(0, 'tool.finished')[0]?.output), new RegExp(`url = ${origin}\\n`));
  const push = call(3, 'tool.finished')[0];
  assert.equal(push?.ok, true, String(push?.output));
  assert.deepEqual((push?.details as { brokered?: unknown })?.brokered, {
    remote: 'origin',
    credential: 'git-127-0-0-1',
  });
  assert.equal(git(bare, 'rev-parse', 'refs/heads/warden/fix'), git(repo, 'rev-parse', 'warden/fix'));
  assert.ok(gitServer.requests.some((r) => r.authorized && r.method === 'POST'));

  const auditLog = await fetch(`${served.url}/v1/tasks/${created.body.id}/audit`, {
    headers: { authorization: `Bearer ${served.adminToken}` },
  }).then((r) => r.text());
  const shown = await warden(
    [
      'audit',
      'show',
      created.body.id,
      '--audit-dir',
      join(world.data, 'audit'),
      '--decrypt',
      '--master-key',
      join(world.data, 'keys', 'audit-master.key'),
    ],
    { cwd: repo },
  );
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /credential-in-remote-url/);
  const places: Array<[string, string]> = [
    ['events', JSON.stringify(events)],
    ['task', JSON.stringify(task)],
    ['audit log', auditLog],
    ['audit show --decrypt', shown.stdout],
    ['server output', served.output()],
    ['.git/config', await readFile(join(repo, '.git', 'config'), 'utf8')],
    ...model.bodies().map((body, i): [string, string] => [`model request ${i + 1}`, body]),
  ];
  assert.equal(model.bodies().length, 5);
  for (const [place, text] of places) assert.ok(!text.includes(TOKEN), `the token leaked into ${place}`);
});

test('a server task that installs a made-up package is denied as hallucinated, before anything runs', async () => {
  const repo = await world.repo('deps');
  const script = await world.script('deps', [
    { calls: [{ tool: 'shell', args: { command: 'npm install react-hyper-table-pro' } }] },
    { text: 'done' },
  ]);
  const created = await admin('POST', '/v1/tasks', {
    repository: repo,
    instruction: 'add a table',
    model: script,
    policy: 'push',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { events } = await finished(created.body.id);
  const call = byCall(events);
  assert.equal(call(0, 'tool.started').length, 0, 'the install never ran');
  assert.match(
    String(call(0, 'tool.finished')[0]?.output),
    /hallucinated: no package react-hyper-table-pro in the npm registry/,
  );
  assert.deepEqual(
    call(0, 'guard.flagged').map((e) => `${e.source}/${e.rule}`),
    ['dependency/hallucinated'],
  );
  assert.equal(call(0, 'policy.decided').at(-1)?.decision, 'deny');
  assert.ok(registry.requests.includes('/npm/react-hyper-table-pro'), registry.requests.join(' '));
  const auditLog = await fetch(`${served.url}/v1/tasks/${created.body.id}/audit`, {
    headers: { authorization: `Bearer ${served.adminToken}` },
  }).then((r) => r.text());
  assert.match(auditLog, /hallucinated: no package react-hyper-table-pro/, 'on the audit record');
});
