import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { WardenEvent } from '../src/agent/events.ts';
import { type GitHttpServer, startGitHttpServer } from './git-http-server.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

// Repositories named by URL: cloned by the broker on the host into a per-task directory under the
// data dir, with the credential the server holds for the host, and removed when the task ends.

const TOKEN = 'glpat-CloneTokenHeldByTheServer-0123456789';

let world: ServerWorld;
let served: Served;
let admin: ReturnType<typeof client>;
let gitServer: GitHttpServer;
let httpUrl: string;
let fileUrl: string;

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
  const source = await world.repo('source');
  const bareRoot = join(world.dir, 'bare');
  await mkdir(bareRoot);
  git(bareRoot, 'clone', '-q', '--bare', source, 'shop.git');
  gitServer = await startGitHttpServer({ projectRoot: bareRoot, username: 'oauth2', token: TOKEN });
  httpUrl = `${gitServer.url}/shop.git`;
  fileUrl = `file://${bareRoot}/shop.git`;
  await mkdir(join(world.dir, 'home', '.config', 'warden'), { recursive: true });
  await writeFile(
    join(world.dir, 'home', '.config', 'warden', 'warden.config.yaml'),
    `credentials:\n  local-git:\n    host: 127.0.0.1:${gitServer.port}\n    token_env: CLONE_TOKEN\n    username: oauth2\n`,
  );
  await writeFile(
    join(world.data, 'server.yaml'),
    [
      `repositories: [${JSON.stringify(world.repos)}]`,
      `repository_urls: [${JSON.stringify(`${gitServer.url}/`)}, ${JSON.stringify(`file://${bareRoot}`)}]`,
      `models: [${JSON.stringify(`script:${world.scripts}/*`)}]`,
      `policies: { permissive: ${JSON.stringify(join(world.dir, 'permissive.policy.yaml'))} }`,
      'concurrency: 4',
    ].join('\n'),
  );
  served = await startServe(world, { CLONE_TOKEN: TOKEN });
  admin = client(served.url, served.adminToken);
});

after(async () => {
  if (served?.child.exitCode === null) {
    served.child.kill('SIGTERM');
    assert.equal(await served.exited, 0);
    assert.doesNotMatch(served.output(), /internal error/);
  }
  await gitServer?.close();
  await world?.cleanup();
});

const FIX = [
  { calls: [{ tool: 'shell', args: { command: 'cat .git/config && git log --oneline' } }] },
  {
    calls: [
      {
        tool: 'edit_file',
        args: { path: 'src/sum.js', old_string: 'return a - b;', new_string: 'return a + b;' },
      },
    ],
  },
  { text: 'Fixed sum().' },
];

async function run(repository: string, name: string) {
  const model = await world.script(name, FIX);
  const created = await admin('POST', '/v1/tasks', {
    repository,
    instruction: 'fix the tests',
    model,
    policy: 'permissive',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id: string = created.body.id;
  const task = await waitFor(
    `task ${id} to end`,
    async () => {
      const { body } = await admin('GET', `/v1/tasks/${id}`);
      return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
    },
    20_000,
  );
  const { body } = await admin('GET', `/v1/tasks/${id}/events?format=json`);
  return { id, task, events: body.events as WardenEvent[] };
}

test('an https-style URL is cloned with the credential the server holds for its host, worked on, and removed', async () => {
  const { id, task, events } = await run(httpUrl, 'http');
  assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
  assert.equal(task.repository, httpUrl, 'the task shows the URL, as given');
  const workDir = join(world.data, 'work', id);
  const started = events.find((e) => e.type === 'session.started');
  assert.equal(started?.type === 'session.started' && started.repo, workDir);
  const shown = events.find((e) => e.type === 'tool.finished');
  assert.match(String(shown?.type === 'tool.finished' && shown.output), new RegExp(`url = ${httpUrl}\\n`));
  assert.deepEqual(
    task.report.filesChanged.map((f: { path: string }) => f.path),
    ['src/sum.js'],
  );
  assert.ok(gitServer.requests.some((r) => r.authorized && r.path.includes('git-upload-pack')));
  await waitFor('the clone to be removed', async () => !existsSync(workDir));
  for (const [place, text] of [
    ['events', JSON.stringify(events)],
    ['task', JSON.stringify(task)],
    ['server output', served.output()],
  ]) {
    assert.ok(!text?.includes(TOKEN), `the token leaked into ${place}`);
  }
  assert.match(served.output(), new RegExp(`task ${id}: cloned ${httpUrl} with credential "local-git"`));
});

test('a file:// URL is cloned (never hard-linked) and the source is left as it was', async () => {
  const before = git(join(world.dir, 'bare', 'shop.git'), 'rev-parse', 'HEAD');
  const { task } = await run(fileUrl, 'file');
  assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
  assert.equal(git(join(world.dir, 'bare', 'shop.git'), 'rev-parse', 'HEAD'), before);
});

test('a URL that cannot be cloned fails the task, saying why', async () => {
  const { task } = await run(`${gitServer.url}/missing.git`, 'missing');
  assert.equal(task.status, 'failed');
  assert.equal(task.error.code, 'repo.clone');
  assert.match(task.error.message, /could not clone .*missing\.git/);
});

test('bad URLs are refused with a 400 naming the repository field', async () => {
  const model = await world.script('never', [{ text: 'never' }]);
  const cases: Array<[string, RegExp]> = [
    [httpUrl.replace('http://', `http://oauth2:${TOKEN}@`), /carries credentials/],
    ['ext::sh -c touch% /tmp/warden-pwned', /does not clone|control|not a URL/],
    ['ssh://git@127.0.0.1/shop.git', /carries credentials|uses ssh:/],
    ['http://10.0.0.1/shop.git', /uses http:/],
    ['https://git.example.com/shop.git', /outside the repository URLs/],
    [`http://127.0.0.1:${gitServer.port + 1}/shop.git`, /outside/],
    [`${httpUrl}?service=x`, /query/],
    ['file:///etc', /outside/],
  ];
  for (const [repository, message] of cases) {
    const answer = await admin('POST', '/v1/tasks', { repository, instruction: 'x', model });
    assert.equal(answer.status, 400, `${repository} → ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.error.field, 'repository');
    assert.match(answer.body.error.message, message, repository);
    assert.ok(!JSON.stringify(answer.body).includes(TOKEN), 'a token is not echoed back');
  }
  const withToken = await admin('POST', '/v1/tasks', {
    repository: httpUrl.replace('http://', `http://${TOKEN}@`),
    instruction: 'x',
    model,
  });
  assert.match(withToken.body.error.hint, /credentials:/, 'says to use the credentials config');
  assert.ok(!existsSync('/tmp/warden-pwned'));
});

test('a team limited to a URL prefix starts tasks there, and nowhere else', async () => {
  const model = await world.script('team', [{ text: 'ok' }]);
  const team = await admin('POST', '/v1/teams', { id: 'cloners', repositories: [`${gitServer.url}/`] });
  assert.equal(team.status, 201, JSON.stringify(team.body));
  await admin('POST', '/v1/users', { id: 'cleo', team: 'cloners', role: 'operator' });
  const cleo = client(served.url, (await admin('POST', '/v1/tokens', { user: 'cleo' })).body.token);
  const allowed = await cleo('POST', '/v1/tasks', { repository: httpUrl, instruction: 'x', model });
  assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
  const path = await world.repo('not-theirs');
  assert.equal((await cleo('POST', '/v1/tasks', { repository: path, instruction: 'x', model })).status, 403);
  assert.equal(
    (await cleo('POST', '/v1/tasks', { repository: fileUrl, instruction: 'x', model })).status,
    403,
  );
  const unknown = await admin('POST', '/v1/teams', { id: 'other', repositories: ['https://nope.example/'] });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.field, 'repositories[0]');
});
