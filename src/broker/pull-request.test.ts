import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type FakeGitHubApi, startFakeGitHubApi } from '../../test/github-api-server.ts';
import { createRedactor } from '../guard/redactor.ts';
import { createBashParser } from '../policy/bash-parser.ts';
import type { PolicyAction } from '../policy/types.ts';
import { createCredentialStore } from './credentials.ts';
import { type Authorize, createPullRequestBroker, type PullRequestPlan } from './pull-request.ts';
import { gitCli } from './testing/git-cli.ts';

const TOKEN = 'ghs_PullRequestToken0123456789abcdEF';
let dir: string;
let api: FakeGitHubApi;
const git = gitCli;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-pr-'));
  git(dir, 'init', '-q', '-b', 'main');
  await writeFile(join(dir, 'a.txt'), 'a\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'start');
  git(dir, 'checkout', '-qb', 'warden/fix');
  git(dir, 'remote', 'add', 'origin', 'https://github.com/acme/widget.git');
  api = await startFakeGitHubApi({ token: TOKEN, repositories: { 'acme/widget': 'trunk' } });
});
after(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

async function broker(options: { apiUrl?: string; credential?: boolean } = {}) {
  const credentials = createCredentialStore();
  if (options.credential !== false)
    credentials.add({
      name: 'github',
      host: 'github.com',
      username: 'x-access-token',
      password: TOKEN,
      origin: 'test',
      ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
    });
  const redactor = createRedactor();
  redactor.addKnown(credentials.secrets());
  return createPullRequestBroker({
    root: dir,
    credentials,
    parse: await createBashParser(),
    redact: (text) => redactor.redact(text),
  });
}

function planOf(matched: ReturnType<Awaited<ReturnType<typeof broker>>['match']>): PullRequestPlan {
  assert.equal(matched?.kind, 'create', JSON.stringify(matched));
  return (matched as { plan: PullRequestPlan }).plan;
}

test('the plan: origin’s repository, the API of its host, the credential for it; its use is judged first', async () => {
  const pulls = await broker();
  const plan = planOf(pulls.match('gh pr create --title T --body B'));
  assert.deepEqual(
    [plan.remote, plan.repository.owner, plan.repository.repo, plan.api, plan.credential.name],
    ['origin', 'acme', 'widget', 'https://api.github.com', 'github'],
  );
  assert.deepEqual(pulls.actions('gh pr create --title T --body B'), [
    { kind: 'secret.use', name: 'github', act: 'pr.create' },
  ]);
  assert.deepEqual(pulls.actions('gh pr create --title T'), []);
  assert.equal(pulls.match('gh pr create --title T --body "$(cat .env)"'), undefined);
  assert.equal(planOf((await broker({ apiUrl: api.url })).match('gh pr create -t T -b B')).api, api.url);
  const none = (await broker({ credential: false })).match('gh pr create --title T --body B');
  assert.equal(none?.kind, 'refused');
  assert.match(none?.kind === 'refused' ? none.reason : '', /no credential is held for github\.com/);
});

test('the base is learnt from the API when not given, judged with the head, then the pull request is sent', async () => {
  api.requests.length = 0;
  const pulls = await broker({ apiUrl: api.url });
  const judged: PolicyAction[] = [];
  const allow: Authorize = async (actions) => {
    judged.push(...actions);
    return { allowed: true };
  };
  const plan = planOf(pulls.match(`gh pr create --title 'Fix it' --body 'Held: ${TOKEN}' --draft`));
  const outcome = await pulls.open(plan, { timeoutMs: 5000, authorize: allow });
  assert.deepEqual(outcome, {
    kind: 'opened',
    number: 1,
    url: 'https://github.example/acme/widget/pull/1',
    base: 'trunk',
    head: 'warden/fix',
  });
  assert.deepEqual(judged, [{ kind: 'pr.create', base: 'trunk', head: 'warden/fix' }]);
  assert.deepEqual(
    api.requests.map((r) => [r.method, r.path, r.authorized]),
    [
      ['GET', '/repos/acme/widget', true],
      ['POST', '/repos/acme/widget/pulls', true],
    ],
  );
  const sent = api.requests[1];
  assert.equal(sent?.headers.accept, 'application/vnd.github+json');
  assert.equal(sent?.headers['x-github-api-version'], '2022-11-28');
  assert.deepEqual(JSON.parse(sent?.body ?? ''), {
    title: 'Fix it',
    body: 'Held: «secret:git-credential#1»',
    base: 'trunk',
    head: 'warden/fix',
    draft: true,
  });

  const again = await pulls.open(planOf(pulls.match('gh pr create -t T -b B -B trunk')), {
    timeoutMs: 5000,
    authorize: allow,
  });
  assert.equal(again.kind, 'failed');
  assert.match(
    again.kind === 'failed' ? again.message : '',
    /A pull request already exists for acme:warden\/fix/,
  );
});

test('a denied pull request is never sent; a refused one uses nothing', async () => {
  api.requests.length = 0;
  const pulls = await broker({ apiUrl: api.url });
  const deny: Authorize = async () => ({ allowed: false, output: 'denied by policy: into release' });
  const denied = await pulls.open(planOf(pulls.match('gh pr create -t T -b B --base release')), {
    timeoutMs: 5000,
    authorize: deny,
  });
  assert.deepEqual(denied, { kind: 'denied', output: 'denied by policy: into release' });
  const long = await pulls.open(planOf(pulls.match(`gh pr create -t ${'x'.repeat(300)} -b B --base main`)), {
    timeoutMs: 5000,
    authorize: async () => ({ allowed: true }),
  });
  assert.match(long.kind === 'refused' ? long.reason : '', /title is 300 characters/);
  assert.deepEqual(api.requests, []);
});

test('a wrong token is the API’s 401, said plainly; an unreachable API is said too', async () => {
  const credentials = createCredentialStore();
  credentials.add({
    name: 'github',
    host: 'github.com',
    username: 'x',
    password: 'wrong-token-123',
    origin: 'test',
    apiUrl: api.url,
  });
  const pulls = await createPullRequestBroker({
    root: dir,
    credentials,
    parse: await createBashParser(),
    redact: (t) => t,
  });
  const allow: Authorize = async () => ({ allowed: true });
  const refused = await pulls.open(planOf(pulls.match('gh pr create -t T -b B -B main')), {
    timeoutMs: 5000,
    authorize: allow,
  });
  assert.equal(refused.kind === 'failed' ? refused.status : 0, 401);
  assert.match(
    refused.kind === 'failed' ? refused.message : '',
    /Bad credentials — the API refused credential "github"/,
  );

  const gone = createCredentialStore();
  gone.add({
    name: 'github',
    host: 'github.com',
    username: 'x',
    password: TOKEN,
    origin: 'test',
    apiUrl: 'http://127.0.0.1:9',
  });
  const unreachable = await createPullRequestBroker({
    root: dir,
    credentials: gone,
    parse: await createBashParser(),
    redact: (t) => t,
  });
  const outcome = await unreachable.open(planOf(unreachable.match('gh pr create -t T -b B')), {
    timeoutMs: 5000,
    authorize: allow,
  });
  assert.equal(outcome.kind, 'failed');
  assert.match(
    outcome.kind === 'failed' ? outcome.message : '',
    /default branch of acme\/widget could not be learnt: http:\/\/127\.0\.0\.1:9 did not answer.*name the base with --base/,
  );
});
