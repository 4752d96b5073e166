import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { createRedactor } from '../guard/redactor.ts';
import { authorization, inlineHelper, moveConfigCredentials } from './config-credentials.ts';
import { createCredentialStore } from './credentials.ts';
import { moveRemoteCredentials } from './remote-credentials.ts';
import { gitCli as git } from './testing/git-cli.ts';

const TOKEN = 'ghs_CheckoutLeft0123456789abcdefABCDEF';
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
let work: string;

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'warden-config-creds-'));
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'remote', 'add', 'origin', 'https://github.com/owner/repo.git');
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const config = () => readFile(join(work, '.git', 'config'), 'utf8');

test("actions/checkout's extraheader is removed, its token held for the host and redacted in every form", async () => {
  git(work, 'config', 'http.https://github.com/.extraheader', `AUTHORIZATION: basic ${BASIC}`);
  git(work, 'config', 'http.extraheader', 'Authorization: Bearer plainBearer0123456789xyz');
  git(work, 'config', 'http.https://github.com/.extraheader', 'X-Trace: 1', '^X-Trace');
  const store = createCredentialStore();
  const moved = await moveConfigCredentials(work, store);
  assert.deepEqual(
    moved.map((m) => [m.key, m.name, m.host, m.rule]),
    [
      ['http.https://github.com/.extraheader', 'git-github-com', 'github.com', 'credential-in-http-header'],
      ['http.extraheader', 'git-github-com', 'github.com', 'credential-in-http-header'],
    ],
  );
  const text = await config();
  assert.ok(!text.includes(TOKEN) && !text.includes(BASIC) && !text.includes('plainBearer'), text);
  assert.match(text, /extraheader = X-Trace: 1/, 'a header that is not a credential stays');
  const held = store.forUrl('https://github.com/owner/repo.git');
  assert.deepEqual([held?.username, held?.password], ['x-access-token', TOKEN]);

  const redactor = createRedactor();
  redactor.addKnown(store.secrets());
  const leaked = [TOKEN, BASIC, Buffer.from(`:${TOKEN}`).toString('base64'), 'plainBearer0123456789xyz'];
  const out = redactor.redact(leaked.join('\n'));
  for (const value of leaked) assert.ok(!out.includes(value), out);
  assert.deepEqual(await moveConfigCredentials(work, createCredentialStore()), [], 'nothing left to move');
});

test('inline credential helpers, URL rewrites and submodule URLs with userinfo are moved', async () => {
  git(
    work,
    'config',
    'credential.https://git.example.com.helper',
    `!f() { echo username=bot; echo "password=${TOKEN}"; }; f`,
  );
  git(work, 'config', 'credential.helper', '!f() { echo "password=$GIT_TOKEN"; }; f');
  git(work, 'config', `url.https://x-access-token:${TOKEN}x@github.com/.insteadOf`, 'https://github.com/');
  git(work, 'config', 'submodule.lib.url', `https://bot:${TOKEN}y@gitlab.example.org/lib.git`);
  const store = createCredentialStore();
  const moved = [
    ...(await moveRemoteCredentials(work, store)),
    ...(await moveConfigCredentials(work, store)),
  ];
  assert.deepEqual(
    moved.map((m) => [m.key, m.host, m.rule ?? 'credential-in-remote-url']),
    [
      ['submodule.lib.url', 'gitlab.example.org', 'credential-in-remote-url'],
      ['credential.https://git.example.com.helper', 'git.example.com', 'credential-in-helper'],
      ['url.https://github.com/', 'github.com', 'credential-in-url-rewrite'],
    ],
  );
  const text = await config();
  assert.ok(!text.includes(TOKEN), text);
  assert.match(text, /\$GIT_TOKEN/, 'a helper reading the environment holds no secret');
  assert.equal(git(work, 'config', 'url.https://github.com/.insteadOf'), 'https://github.com/');
  assert.equal(git(work, 'config', 'submodule.lib.url'), 'https://gitlab.example.org/lib.git');
  assert.equal(store.forUrl('https://git.example.com/a.git')?.password, TOKEN);
  assert.equal(store.forUrl('https://github.com/a.git')?.password, `${TOKEN}x`);
});

test('header and helper parsing: schemes, case, what is not a credential', () => {
  assert.deepEqual(authorization(`authorization: BASIC ${BASIC}`), {
    username: 'x-access-token',
    password: TOKEN,
  });
  assert.deepEqual(authorization('Authorization: token abc123def456'), {
    username: 'x-access-token',
    password: 'abc123def456',
  });
  assert.equal(authorization('X-Api-Version: 3'), undefined);
  assert.equal(inlineHelper('store --file /tmp/x'), undefined);
  assert.deepEqual(inlineHelper("!echo 'username=u'; echo 'password=p4ss-w0rd'"), {
    username: 'u',
    password: 'p4ss-w0rd',
  });
});
