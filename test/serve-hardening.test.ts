/**
 * `warden serve` under attack from its own users and its host: a repository swapped for a link
 * after its task was created, a data directory others can read, a first start that fails.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { chmod, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WARDEN } from './cli.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

let world: ServerWorld;
let served: Served;
let admin: ReturnType<typeof client>;
const mode = (path: string) => statSync(path).mode & 0o777;

before(async () => {
  world = await serverWorld();
  await chmod(world.data, 0o755);
});

after(async () => {
  if (served && served.child.exitCode === null) {
    served.child.kill('SIGTERM');
    await served.exited;
  }
  await world?.cleanup();
});

test('a first start that cannot listen makes no admin; the next one writes its token to a 0600 file', async () => {
  const busy = createServer();
  const port = await new Promise<number>((resolve) =>
    busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)),
  );
  const failed = spawnSync(
    process.execPath,
    [WARDEN, 'serve', '--port', String(port), '--data', world.data],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(world.dir, 'home') },
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  busy.close();
  assert.notEqual(failed.status, 0, failed.stdout + failed.stderr);
  assert.ok(!existsSync(join(world.data, 'admin-token')), 'no token was made for a start no one saw');

  served = await startServe(world);
  assert.ok(served.adminToken, served.output());
  admin = client(served.url, served.adminToken);
  assert.equal(readFileSync(join(world.data, 'admin-token'), 'utf8').trim(), served.adminToken);
  assert.equal(mode(join(world.data, 'admin-token')), 0o600);
  assert.equal(mode(world.data), 0o700, 'a data directory made 0755 by someone else is closed');
  for (const db of ['server.db', 'warden.db']) assert.equal(mode(join(world.data, db)), 0o600, db);
});

test('--new-admin-token gives the owner of the data directory a working admin token', async () => {
  const recovered = spawnSync(
    process.execPath,
    [WARDEN, 'serve', '--new-admin-token', '--data', world.data],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(world.dir, 'home') },
      encoding: 'utf8',
      timeout: 20_000,
    },
  );
  assert.equal(recovered.status, 0, recovered.stderr);
  const token = /new admin token[^:]*: (wdn_\S+)/.exec(recovered.stdout)?.[1];
  assert.ok(token && token !== served.adminToken, recovered.stdout);
  assert.equal((await client(served.url, token)('GET', '/v1/users')).status, 200);
  assert.equal(readFileSync(join(world.data, 'admin-token'), 'utf8').trim(), token);
});

test('a repository swapped for a link after its task was created: the task fails, nothing outside is touched', async () => {
  const outer = await world.repo('a');
  const inner = join(outer, 'sub3');
  await mkdir(inner);
  spawnSync('git', ['init', '-q'], { cwd: inner });
  const secret = join(world.dir, 'secret');
  await mkdir(secret);
  spawnSync('git', ['init', '-q'], { cwd: secret });
  await writeFile(join(secret, 'data.txt'), 'secret\n');
  // The outer task waits on a question, holding the tree; the nested one waits behind it.
  const ask = await world.script('hold', [
    { calls: [{ tool: 'shell', args: { command: 'sleep 0 && echo held' } }] },
    { text: 'done' },
  ]);
  const writer = await world.script('writer', [
    { calls: [{ tool: 'write_file', args: { path: 'pwned.txt', content: 'pwned' } }] },
    { calls: [{ tool: 'read_file', args: { path: 'data.txt' } }] },
    { text: 'done' },
  ]);
  const { body: holder } = await admin('POST', '/v1/tasks', {
    repository: outer,
    instruction: 'x',
    model: ask,
  });
  await waitFor('the outer task to wait', async () =>
    (await admin('GET', `/v1/tasks/${holder.id}`)).body.status === 'waiting_approval' ? true : undefined,
  );
  const created = await admin('POST', '/v1/tasks', {
    repository: inner,
    instruction: 'x',
    model: writer,
    policy: 'permissive',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(
    (await admin('GET', `/v1/tasks/${created.body.id}`)).body.status,
    'queued',
    'nested: it waits',
  );

  await rm(inner, { recursive: true, force: true });
  await symlink(secret, inner);
  assert.equal((await admin('POST', `/v1/tasks/${holder.id}/cancel`)).status, 202);
  const ended = await waitFor('the swapped task to end', async () => {
    const { body } = await admin('GET', `/v1/tasks/${created.body.id}`);
    return ['failed', 'succeeded', 'cancelled'].includes(body.status) ? body : undefined;
  });
  assert.equal(ended.status, 'failed');
  assert.equal(ended.error.code, 'repo.changed', JSON.stringify(ended.error));
  assert.ok(!existsSync(join(secret, 'pwned.txt')), 'nothing was written outside the roots');
});

test('an operator probing paths they may not use gets one answer, whether the path exists or not', async () => {
  assert.equal((await admin('POST', '/v1/teams', { id: 'probe', repositories: [] })).status, 201);
  await admin('POST', '/v1/users', { id: 'pia', team: 'probe', role: 'operator' });
  const operator = client(served.url, (await admin('POST', '/v1/tokens', { user: 'pia' })).body.token);
  const model = await world.script('probe', [{ text: 'x' }]);
  const answers = [];
  for (const repository of [
    join(world.repos, 'a'), // exists, a git repository inside the roots
    join(world.repos, 'missing'), // does not exist, inside the roots
    '/etc', // exists, outside
    '/nonexistent/x', // does not exist, outside
  ]) {
    const { status, body } = await operator('POST', '/v1/tasks', { repository, instruction: 'x', model });
    answers.push([status, body.error.code, body.error.message.replaceAll(world.repos, 'ROOT')]);
  }
  assert.equal(answers[0]?.[0], 403);
  assert.deepEqual(answers[1], answers[0], 'inside the roots: existing and missing look alike');
  assert.deepEqual(answers[3], answers[2], 'outside: existing and missing look alike');
});

test('one token holds at most 16 event streams; the 17th is a 429', async () => {
  const abort = new AbortController();
  // A running task keeps its streams open; an ended one ends them, so hold a running one.
  const model = await world.script('held', [
    { calls: [{ tool: 'shell', args: { command: 'sleep 0 && echo held' } }] },
    { text: 'done' },
  ]);
  const task = (
    await admin('POST', '/v1/tasks', { repository: join(world.repos, 'a'), instruction: 'x', model })
  ).body;
  await waitFor('the task to wait', async () =>
    (await admin('GET', `/v1/tasks/${task.id}`)).body.status === 'waiting_approval' ? true : undefined,
  );
  const streams = await Promise.all(
    Array.from({ length: 16 }, () =>
      fetch(`${served.url}/v1/tasks/${task.id}/events`, {
        headers: { authorization: `Bearer ${served.adminToken}` },
        signal: abort.signal,
      }),
    ),
  );
  assert.ok(streams.every((s) => s.status === 200));
  const refused = await fetch(`${served.url}/v1/tasks/${task.id}/events`, {
    headers: { authorization: `Bearer ${served.adminToken}` },
  });
  assert.equal(refused.status, 429);
  abort.abort();
  await waitFor('the closed streams to be freed', async () => {
    const again = new AbortController();
    const response = await fetch(`${served.url}/v1/tasks/${task.id}/events`, {
      headers: { authorization: `Bearer ${served.adminToken}` },
      signal: again.signal,
    });
    again.abort();
    return response.status === 200 ? true : undefined;
  });
  await admin('POST', `/v1/tasks/${task.id}/cancel`);
});
