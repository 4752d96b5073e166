import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type GitHttpServer, startGitHttpServer } from '../../test/git-http-server.ts';
import { createBashParser } from '../policy/bash-parser.ts';
import { withCredentialHelper } from './credential-helper.ts';
import { createCredentialStore } from './credentials.ts';
import { createGitPushBroker } from './git-push.ts';
import { moveRemoteCredentials } from './remote-credentials.ts';
import { gitCli } from './testing/git-cli.ts';

const TOKEN = 'ghs_BrokerHeld0123456789abcdefABCDEF';
let dir: string;
let work: string;
let server: GitHttpServer;
const git = gitCli;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-push-'));
  await mkdir(join(dir, 'served'));
  git(join(dir, 'served'), 'init', '-q', '--bare', 'repo.git');
  work = join(dir, 'work');
  await mkdir(work);
  git(work, 'init', '-q', '-b', 'main');
  await writeFile(join(work, 'a.txt'), 'a\n');
  git(work, 'add', '-A');
  git(work, 'commit', '-qm', 'start');
  git(work, 'push', '-q', join(dir, 'served', 'repo.git'), 'main');
  git(work, 'checkout', '-qb', 'warden/fix');
  await writeFile(join(work, 'a.txt'), 'fixed\n');
  git(work, 'commit', '-qam', 'fix');
  server = await startGitHttpServer({
    projectRoot: join(dir, 'served'),
    username: 'x-access-token',
    token: TOKEN,
  });
  git(work, 'remote', 'add', 'origin', `http://x-access-token:${TOKEN}@127.0.0.1:${server.port}/repo.git`);
  git(work, 'remote', 'add', 'upstream', 'git@github.com:owner/repo.git');
  git(work, 'remote', 'add', 'mirror', 'ssh://git@github.com/owner/repo.git');
  git(work, 'config', 'remote.upstream.pushurl', `https://someone:${TOKEN}x@example.com/owner/repo.git`);
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('a token in a remote URL is moved out of .git/config and held for its host alone', async () => {
  const store = createCredentialStore();
  const moved = await moveRemoteCredentials(work, store);
  assert.deepEqual(
    moved.map((m) => [m.key, m.name, m.host, m.url]),
    [
      [
        'remote.origin.url',
        'git-127-0-0-1',
        `127.0.0.1:${server.port}`,
        `http://127.0.0.1:${server.port}/repo.git`,
      ],
      ['remote.upstream.pushurl', 'git-example-com', 'example.com', 'https://example.com/owner/repo.git'],
    ],
  );
  const config = await readFile(join(work, '.git', 'config'), 'utf8');
  assert.ok(!config.includes(TOKEN), config);
  assert.match(config, /url = git@github\.com:owner\/repo\.git/, 'an ssh account name is not a secret');
  assert.equal(store.forUrl(`http://127.0.0.1:${server.port}/other.git`)?.password, TOKEN);
  assert.equal(store.forUrl(`http://127.0.0.1:${server.port + 1}/repo.git`), undefined, 'another port');
  assert.equal(store.forUrl('https://github.com/owner/repo.git'), undefined, 'another host');
  assert.equal(store.forUrl('http://example.com/owner/repo.git'), undefined, 'never over plain http');
  assert.match(store.whyNone('http://example.com/x'), /only over https/);
  const secrets = store.secrets().map((s) => s.value);
  for (const value of [TOKEN, `${TOKEN}x`, Buffer.from(`x-access-token:${TOKEN}`).toString('base64')])
    assert.ok(secrets.includes(value), value);
  assert.deepEqual(await moveRemoteCredentials(work, createCredentialStore()), [], 'nothing left to move');
});

test('the broker pushes an allowed branch with the held credential; the server saw it authorised', async () => {
  const store = createCredentialStore();
  store.add({
    name: 'git-127-0-0-1',
    host: `127.0.0.1:${server.port}`,
    username: 'x-access-token',
    password: TOKEN,
    origin: 'test',
  });
  const broker = await createGitPushBroker({
    root: work,
    credentials: store,
    parse: await createBashParser(),
  });
  assert.deepEqual(broker.actions('git push origin warden/fix'), [
    { kind: 'secret.use', name: 'git-127-0-0-1', act: 'git.push' },
  ]);
  const matched = broker.match('git push -u origin warden/fix');
  assert.equal(matched?.kind, 'push');
  if (matched?.kind !== 'push') return;
  const result = await broker.push(matched.plan, { timeoutMs: 20_000 });
  assert.equal(result.exitCode, 0, result.stderr);
  assert.ok(!`${result.stdout}${result.stderr}`.includes(TOKEN));
  assert.equal(
    git(join(dir, 'served', 'repo.git'), 'rev-parse', 'refs/heads/warden/fix'),
    git(work, 'rev-parse', 'warden/fix'),
  );
  assert.ok(server.requests.some((r) => r.authorized && r.method === 'POST'));
});

test('a push to a host with no credential goes without one, and the server refuses it', async () => {
  server.requests.length = 0;
  const broker = await createGitPushBroker({
    root: work,
    credentials: createCredentialStore(),
    parse: await createBashParser(),
  });
  assert.deepEqual(broker.actions('git push origin warden/fix'), []);
  const matched = broker.match('git push origin HEAD:warden/other');
  assert.equal(matched?.kind, 'push');
  if (matched?.kind !== 'push') return;
  assert.match(matched.plan.noCredential ?? '', /no credential is held for 127\.0\.0\.1/);
  const result = await broker.push(matched.plan, { timeoutMs: 20_000 });
  assert.notEqual(result.exitCode, 0);
  assert.ok(server.requests.length > 0 && server.requests.every((r) => !r.authorized));
});

test('what the broker takes, refuses, and leaves to the sandbox', async () => {
  const broker = await createGitPushBroker({
    root: work,
    credentials: createCredentialStore(),
    parse: await createBashParser(),
  });
  const kind = (command: string) => broker.match(command)?.kind;
  assert.equal(kind('git push origin warden/fix'), 'push');
  assert.equal(kind('git push -- origin warden/fix:refs/heads/warden/fix'), 'push');
  for (const sandboxed of [
    'git push ../other.git main',
    'git push origin x; id',
    'git -C . push origin x',
    'ls',
  ]) {
    assert.equal(kind(sandboxed), undefined, sandboxed);
  }
  const refusals: Array<[string, RegExp]> = [
    ['git push', /name the remote/],
    ['git push --force origin x', /does not push with --force/],
    ['git push origin +x', /forces the push/],
    ['git push origin :x', /deletes a remote branch/],
    ['git push origin "x\\$(id)"', /shell metacharacter "\$"/],
    ["git push origin HEAD:'a`id`'", /shell metacharacter "`"/],
    ['git push mirror main', /http\(s\) only/],
  ];
  for (const [command, reason] of refusals) {
    const matched = broker.match(command);
    assert.equal(matched?.kind, 'refused', command);
    assert.match(matched?.kind === 'refused' ? matched.reason : '', reason, command);
  }
});

test('the current branch is checked when HEAD is pushed', async () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
  const hostile = 'fix$(touch${IFS}pwned)';
  git(work, 'checkout', '-qb', hostile);
  try {
    const broker = await createGitPushBroker({
      root: work,
      credentials: createCredentialStore(),
      parse: await createBashParser(),
    });
    server.requests.length = 0;
    const matched = broker.match('git push origin HEAD');
    assert.equal(matched?.kind, 'push');
    if (matched?.kind !== 'push') return;
    const result = await broker.push(matched.plan, { timeoutMs: 20_000 });
    assert.match(result.refused ?? '', /current branch .* shell metacharacter "\$"/);
    assert.equal(server.requests.length, 0, 'nothing was sent');
  } finally {
    git(work, 'checkout', '-q', 'warden/fix');
  }
});

test('the credential helper answers only for the host it was made for', async () => {
  const credential = { name: 'x', host: '127.0.0.1:1', username: 'u', password: TOKEN, origin: 'test' };
  const fill = (host: string) =>
    withCredentialHelper(credential, 'http://127.0.0.1:1/r.git', async (setup) =>
      spawnSync('git', [...setup.args, 'credential', 'fill'], {
        input: `protocol=http\nhost=${host}\n\n`,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_TERMINAL_PROMPT: '0', ...setup.env },
      }),
    );
  assert.match((await fill('127.0.0.1:1')).stdout, new RegExp(`password=${TOKEN}`));
  const elsewhere = await fill('evil.example');
  assert.notEqual(elsewhere.status, 0);
  assert.ok(!elsewhere.stdout.includes(TOKEN));
});
