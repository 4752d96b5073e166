/**
 * The loopback GitHub, driven by the real clients: @octokit/app for the JWT, installation tokens
 * and REST calls, @octokit/webhooks for verifying what it delivers, and git for clone and push.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { App } from '@octokit/app';
import { Octokit } from '@octokit/core';
import { Webhooks } from '@octokit/webhooks';
import fc from 'fast-check';
import { publicKeyOf, verifyAppJwt } from './app-auth.ts';
import { type FakeGitHub, startFakeGitHub } from './fake-github.ts';
import { exampleKeys } from './github-shapes.ts';

const A = 'alice/project-a';
const B = 'alice/project-b';
let gh: FakeGitHub;
let app: App;
let work: string;

function jwt(claims: Record<string, unknown>, key: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key, 'base64url')}`;
}

async function status(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
    return { status: 200, message: '' };
  } catch (error) {
    const e = error as { status: number; response?: { data?: { message?: string } } };
    return { status: e.status, message: e.response?.data?.message ?? '' };
  }
}

/** The `errors[].message` of GitHub's 422, which says what was wrong. */
async function validationErrors(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
    return [];
  } catch (error) {
    const e = error as { response?: { data?: { errors?: { message?: string; field?: string }[] } } };
    return (e.response?.data?.errors ?? []).map((x) => x.message ?? `invalid ${x.field}`);
  }
}

const client = (auth: string) => new Octokit({ auth, baseUrl: gh.apiUrl });

async function scopedToken(repositoryNames: string[], permissions?: Record<string, string>): Promise<string> {
  const { token } = (await app.octokit.auth({
    type: 'installation',
    installationId: gh.installations.alice,
    repositoryNames,
    ...(permissions ? { permissions } : {}),
  })) as { token: string };
  return token;
}

const execFileAsync = promisify(execFile);

/** Async: the fake GitHub answers on this process's event loop. */
async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: work,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Warden',
      GIT_AUTHOR_EMAIL: 'warden@example.com',
      GIT_COMMITTER_NAME: 'Warden',
      GIT_COMMITTER_EMAIL: 'warden@example.com',
    },
  });
  return stdout.trim();
}

const authedUrl = (repo: string, token: string) =>
  gh.gitUrl(repo).replace('http://', `http://x-access-token:${token}@`);

/** Clones with the token, commits a file on `branch` and pushes it; throws what git said on refusal. */
async function pushBranch(repo: string, token: string, branch: string, dir = 'clone'): Promise<string> {
  const target = mkdtempSync(join(work, `${dir}-`));
  await git(work, ['clone', '-q', authedUrl(repo, token), target]);
  await git(target, ['checkout', '-q', '-b', branch]);
  writeFileSync(join(target, `${branch.replace(/\//g, '-')}.txt`), 'change\n');
  await git(target, ['add', '-A']);
  await git(target, ['commit', '-q', '-m', `work on ${branch}`]);
  await git(target, ['push', '-q', 'origin', branch]);
  return await git(target, ['rev-parse', 'HEAD']);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'fake-github-test-'));
  gh = await startFakeGitHub({
    repositories: [
      { fullName: A, seed: { 'README.md': '# a\n' }, collaborators: { bob: 'write', carol: 'read' } },
      { fullName: B, seed: { 'README.md': '# b\n' } },
    ],
  });
  app = new App({
    appId: gh.app.id,
    privateKey: gh.app.privateKeyPem,
    webhooks: { secret: gh.app.webhookSecret },
    Octokit: Octokit.defaults({ baseUrl: gh.apiUrl }),
  });
});

after(async () => {
  await gh.close();
  rmSync(work, { recursive: true, force: true });
});

describe('App JWT', () => {
  test("@octokit/app's JWT is accepted on the App's routes", async () => {
    const { data } = await app.octokit.request('GET /app');
    assert.equal(data?.id, gh.app.id);
    const { data: inst } = await app.octokit.request('GET /repos/{owner}/{repo}/installation', {
      owner: 'alice',
      repo: 'project-a',
    });
    assert.equal(inst.id, gh.installations.alice);
    assert.equal(gh.requests.at(-1)?.auth, 'jwt');
  });

  test('an expired, too long, future, wrongly signed or wrongly issued JWT gets 401 with GitHub’s message', async () => {
    const now = Math.floor(Date.now() / 1000);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
    const key = gh.app.privateKeyPem;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { iat: now - 700, exp: now - 100, iss: gh.app.id },
        key,
        /'exp'\) must be a numeric value representing the future/,
      ],
      [{ iat: now - 30, exp: now + 1200, iss: gh.app.id }, key, /'exp'\) is too far in the future/],
      [{ iat: now + 300, exp: now + 500, iss: gh.app.id }, key, /'iat'\) must be an Integer/],
      [{ iat: now - 30, exp: now + 500, iss: gh.app.id }, other, /A JSON web token could not be decoded/],
      [{ iat: now - 30, exp: now + 500, iss: gh.app.id + 1 }, key, /A JSON web token could not be decoded/],
      [{ iat: now - 30, exp: now + 500 }, key, /Missing 'issuer' claim/],
    ];
    for (const [claims, signingKey, message] of cases) {
      const answer = await status(client(jwt(claims, signingKey)).request('GET /app'));
      assert.equal(answer.status, 401, JSON.stringify(claims));
      assert.match(answer.message, message);
    }
    const good = await status(
      client(jwt({ iat: now - 30, exp: now + 500, iss: String(gh.app.id) }, key)).request('GET /app'),
    );
    assert.equal(good.status, 200, 'iss may be the id as a string');
  });

  test('the time rules hold for any iat and exp: accepted exactly when iat ≤ now+60, now < exp, exp−iat ≤ 600 and exp ≤ now+600', () => {
    const app1 = { id: 7, publicKey: publicKeyOf(gh.app.privateKeyPem) };
    const now = 1_800_000_000;
    fc.assert(
      fc.property(
        fc.integer({ min: -1300, max: 1300 }),
        fc.integer({ min: -1300, max: 1300 }),
        (iatOffset, expOffset) => {
          const iat = now + iatOffset;
          const exp = now + expOffset;
          const verdict = verifyAppJwt(jwt({ iat, exp, iss: 7 }, gh.app.privateKeyPem), app1, now);
          const valid = iat <= now + 60 && exp > now && exp - iat <= 600 && exp <= now + 600;
          assert.equal(verdict.ok, valid);
        },
      ),
      { numRuns: 40 },
    );
  });

  test('a JWT on an installation route and an installation token on an App route get 401', async () => {
    const token = await scopedToken(['project-a']);
    assert.equal((await status(client(token).request('GET /app'))).status, 401);
    const now = Math.floor(Date.now() / 1000);
    const appJwt = jwt({ iat: now - 30, exp: now + 500, iss: gh.app.id }, gh.app.privateKeyPem);
    assert.equal(
      (
        await status(
          client(appJwt).request('GET /repos/{owner}/{repo}', { owner: 'alice', repo: 'project-a' }),
        )
      ).status,
      401,
    );
  });
});

describe('installation tokens', () => {
  test('a token is ghs_ and 36 characters, expires in an hour, and is scoped to what was asked', async () => {
    const { data } = await app.octokit.request('POST /app/installations/{installation_id}/access_tokens', {
      installation_id: gh.installations.alice ?? 0,
      repositories: ['project-a'],
      permissions: { issues: 'write', contents: 'read' },
    });
    assert.match(data.token, /^ghs_[A-Za-z0-9]{36}$/);
    const lifetime = Date.parse(data.expires_at) - Date.now();
    assert.ok(lifetime > 59 * 60_000 && lifetime <= 60 * 60_000);
    assert.deepEqual(data.permissions, { issues: 'write', contents: 'read' });
    assert.equal(data.repository_selection, 'selected');
    assert.deepEqual(
      data.repositories?.map((r) => r.full_name),
      [A],
    );
  });

  test('a token for repository A gets 404 on repository B, and asking beyond the installation gets 422', async () => {
    const token = await scopedToken(['project-a']);
    const octokit = client(token);
    assert.equal(
      (await octokit.request('GET /repos/{owner}/{repo}', { owner: 'alice', repo: 'project-a' })).status,
      200,
    );
    assert.equal(
      (await status(octokit.request('GET /repos/{owner}/{repo}', { owner: 'alice', repo: 'project-b' })))
        .status,
      404,
    );
    const tooMuch = await status(
      app.octokit.request('POST /app/installations/{installation_id}/access_tokens', {
        installation_id: gh.installations.alice ?? 0,
        permissions: { administration: 'write' },
      }),
    );
    assert.deepEqual(tooMuch, {
      status: 422,
      message: 'The permissions requested are not granted to this installation.',
    });
    const unknownRepo = await status(scopedToken(['not-there']));
    assert.equal(unknownRepo.status, 422);
  });

  test('a write with only read permission gets 403 Resource not accessible by integration', async () => {
    gh.issueLabeled({ repo: A, issue: { title: 'read only', user: 'bob' }, label: 'warden' });
    const number = gh.issues.at(-1)?.number ?? 0;
    const octokit = client(await scopedToken(['project-a'], { issues: 'read' }));
    const read = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: 'alice',
      repo: 'project-a',
      issue_number: number,
    });
    assert.equal(read.data.title, 'read only');
    const write = await status(
      octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: 'alice',
        repo: 'project-a',
        issue_number: number,
        body: 'hi',
      }),
    );
    assert.deepEqual(write, { status: 403, message: 'Resource not accessible by integration' });
  });
});

describe('git over smart HTTP', () => {
  test('clone and push with a contents:write token; the branch head is what was pushed', async () => {
    const token = await scopedToken(['project-a']);
    const sha = await pushBranch(A, token, 'warden/issue-1');
    assert.equal(gh.branchHead(A, 'warden/issue-1'), sha);
    const { data } = await client(token).request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
      owner: 'alice',
      repo: 'project-a',
      ref: 'heads/warden/issue-1',
    });
    assert.equal(data.object.sha, sha);
  });

  test('a push with contents:read is refused and a clone of a repository outside the token fails', async () => {
    const readOnly = await scopedToken(['project-a'], { contents: 'read' });
    await assert.rejects(pushBranch(A, readOnly, 'warden/sneaky'), /403|denied|not granted/i);
    assert.equal(gh.branchHead(A, 'warden/sneaky'), undefined);
    const refused = gh.requests.filter((r) => r.api === 'git' && r.status === 403);
    assert.ok(
      refused.length > 0 && refused.every((r) => r.path.includes('git-receive-pack')),
      'the clone went through, the push did not',
    );
    const tokenA = await scopedToken(['project-a']);
    await assert.rejects(
      git(work, ['clone', '-q', authedUrl(B, tokenA), join(work, 'b-clone')]),
      /not found|404/i,
    );
    await assert.rejects(
      git(work, ['clone', '-q', gh.gitUrl(A), join(work, 'anon-clone')]),
      /Authentication failed|could not read Username|401/i,
    );
  });
});

describe('REST', () => {
  test('a pull request needs commits the base lacks, and a head has one open pull request', async () => {
    const token = await scopedToken(['project-a']);
    const octokit = client(token);
    await git(work, ['-C', gh.barePath(A), 'branch', 'empty-branch', 'main']);
    const empty = await validationErrors(
      octokit.request('POST /repos/{owner}/{repo}/pulls', {
        owner: 'alice',
        repo: 'project-a',
        title: 't',
        head: 'empty-branch',
        base: 'main',
      }),
    );
    assert.deepEqual(empty, ['No commits between main and empty-branch']);
    const missing = await validationErrors(
      octokit.request('POST /repos/{owner}/{repo}/pulls', {
        owner: 'alice',
        repo: 'project-a',
        title: 't',
        head: 'nope',
        base: 'main',
      }),
    );
    assert.deepEqual(missing, ['invalid head']);
    const sha = await pushBranch(A, token, 'warden/pr');
    const issue = gh.issueLabeled({ repo: A, issue: { title: 'numbered first' }, label: 'x' }).issue.number;
    const { data: pull } = await octokit.request('POST /repos/{owner}/{repo}/pulls', {
      owner: 'alice',
      repo: 'project-a',
      title: 'Fix',
      head: 'alice:warden/pr',
      base: 'main',
      body: 'done',
    });
    assert.equal(pull.number, issue + 1, 'issues and pull requests share numbers');
    assert.equal(pull.head.sha, sha);
    assert.equal(pull.user?.login, `${gh.app.slug}[bot]`);
    const again = await validationErrors(
      octokit.request('POST /repos/{owner}/{repo}/pulls', {
        owner: 'alice',
        repo: 'project-a',
        title: 'Fix',
        head: 'warden/pr',
        base: 'main',
      }),
    );
    assert.deepEqual(again, ['A pull request already exists for alice:warden/pr.']);
    const listed = await octokit.request('GET /repos/{owner}/{repo}/pulls', {
      owner: 'alice',
      repo: 'project-a',
      head: 'alice:warden/pr',
      state: 'open',
    });
    assert.deepEqual(
      listed.data.map((p) => p.number),
      [pull.number],
    );
    const asIssue = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: 'alice',
      repo: 'project-a',
      issue_number: pull.number,
    });
    assert.equal(asIssue.data.pull_request?.url, pull.url);
    const tooLong = await status(
      octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
        owner: 'alice',
        repo: 'project-a',
        pull_number: pull.number,
        body: 'x'.repeat(65537),
      }),
    );
    assert.equal(tooLong.status, 422);
    const closed = await octokit.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', {
      owner: 'alice',
      repo: 'project-a',
      pull_number: pull.number,
      state: 'closed',
    });
    assert.equal(closed.data.state, 'closed');
  });

  test('comments, reactions and check runs are stored and read back; bad reaction and long summary get 422', async () => {
    const octokit = await app.getInstallationOctokit(gh.installations.alice ?? 0);
    const repo = { owner: 'alice', repo: 'project-a' };
    const number = gh.issueLabeled({ repo: A, issue: { title: 'progress' }, label: 'warden' }).issue.number;
    const { data: comment } = await octokit.request(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { ...repo, issue_number: number, body: 'Working on it' },
    );
    await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      ...repo,
      comment_id: comment.id,
      body: 'Done',
    });
    const { data: listed } = await octokit.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { ...repo, issue_number: number },
    );
    assert.deepEqual(
      listed.map((c) => c.body),
      ['Done'],
    );
    assert.equal(
      (
        await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/reactions', {
          ...repo,
          issue_number: number,
          content: 'eyes',
        })
      ).status,
      201,
    );
    assert.equal(
      (
        await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/reactions', {
          ...repo,
          issue_number: number,
          content: 'eyes',
        })
      ).status,
      200,
    );
    const bad = await status(
      octokit.request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {
        ...repo,
        comment_id: comment.id,
        content: 'thumbsup' as 'eyes',
      }),
    );
    assert.equal(bad.status, 422);
    const head = gh.branchHead(A, 'main') ?? '';
    const { data: run } = await octokit.request('POST /repos/{owner}/{repo}/check-runs', {
      ...repo,
      name: 'warden',
      head_sha: head,
      status: 'in_progress',
    });
    await octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
      ...repo,
      check_run_id: run.id,
      conclusion: 'success',
      output: { title: 'ok', summary: 'all good' },
    });
    const { data: runs } = await octokit.request('GET /repos/{owner}/{repo}/commits/{ref}/check-runs', {
      ...repo,
      ref: 'main',
    });
    assert.deepEqual(
      runs.check_runs.map((r) => [r.name, r.status, r.conclusion, r.output.summary]),
      [['warden', 'completed', 'success', 'all good']],
    );
    const long = await status(
      octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
        ...repo,
        check_run_id: run.id,
        output: { title: 't', summary: 's'.repeat(65536) },
      }),
    );
    assert.equal(long.status, 422);
    assert.deepEqual(
      gh.reactions.map((r) => r.content),
      ['eyes'],
    );
  });

  test('collaborator permission: write, read, and none for a stranger on a private repository', async () => {
    const octokit = client(await scopedToken(['project-a']));
    const ask = async (username: string) =>
      (
        await octokit.request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
          owner: 'alice',
          repo: 'project-a',
          username,
        })
      ).data;
    assert.equal((await ask('bob')).permission, 'write');
    assert.equal((await ask('carol')).permission, 'read');
    assert.equal((await ask('alice')).permission, 'admin');
    const stranger = await ask('mallory');
    assert.equal(stranger.permission, 'none');
    assert.equal(stranger.user?.login, 'mallory');
    const unknown = await status(
      octokit.request('GET /repos/{owner}/{repo}/labels', { owner: 'alice', repo: 'project-a' }),
    );
    assert.deepEqual(unknown, { status: 404, message: 'Not Found' });
  });
});

describe('webhooks', () => {
  let receiver: Server;
  let target: string;
  const received: { name: string; id: string }[] = [];
  before(async () => {
    const webhooks = new Webhooks({ secret: gh.app.webhookSecret });
    webhooks.onAny(({ id, name }) => {
      received.push({ id, name });
    });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        webhooks
          .verifyAndReceive({
            id: String(req.headers['x-github-delivery']),
            name: String(req.headers['x-github-event']) as 'issues',
            payload: body,
            signature: String(req.headers['x-hub-signature-256']),
          })
          .then(
            () => res.writeHead(200).end('ok'),
            () => res.writeHead(401).end('bad signature'),
          );
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/github/webhook`;
  });
  after(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  test('a delivery verifies with the App’s secret and carries GitHub’s headers', async () => {
    const payload = gh.issueLabeled({
      repo: A,
      issue: { title: 'Please fix', body: 'details', user: 'bob' },
      label: 'warden',
      sender: 'bob',
    });
    const delivery = await gh.deliver(target, 'issues', payload);
    assert.equal(delivery.status, 200);
    assert.deepEqual(received.at(-1), { name: 'issues', id: delivery.id });
    assert.match(delivery.headers['user-agent'] ?? '', /^GitHub-Hookshot\/[0-9a-f]+$/);
    assert.equal(delivery.headers['x-github-hook-installation-target-id'], String(gh.app.id));
    assert.match(delivery.headers['x-github-delivery'] ?? '', /^[0-9a-f-]{36}$/);
  });

  test('a wrong secret, a body altered after signing and a missing signature are refused', async () => {
    const payload = gh.issueCommentCreated({
      repo: A,
      issue: { title: 'Forged' },
      comment: '/warden go',
      sender: 'mallory',
    });
    assert.equal(
      (await gh.deliver(target, 'issue_comment', payload, { secret: 'not-the-secret' })).status,
      401,
    );
    const altered = await gh.deliver(target, 'issue_comment', payload, {
      alterAfterSigning: (b) => b.replace('mallory', 'bob'),
    });
    assert.equal(altered.status, 401);
    assert.equal((await gh.deliver(target, 'issue_comment', payload, { signature: null })).status, 401);
    const replayed = await gh.deliver(target, 'issue_comment', undefined, {
      id: altered.id,
      rawBody: altered.rawBody,
    });
    assert.equal(
      replayed.status,
      200,
      'the captured body with its original signature verifies: dedup by id is the receiver’s job',
    );
  });

  test('payloads are GitHub’s examples with this fake’s identities, agreeing with the REST API', async () => {
    const labeled = gh.issueLabeled({
      repo: A,
      issue: { title: 'Typo', user: 'carol' },
      label: 'warden',
      sender: 'bob',
    });
    for (const key of exampleKeys.issue) assert.ok(key in labeled.issue, `issue.${key}`);
    for (const key of exampleKeys.repository) assert.ok(key in labeled.repository, `repository.${key}`);
    assert.equal(labeled.installation?.id, gh.installations.alice);
    assert.equal(labeled.label?.name, 'warden');
    assert.equal(labeled.sender.login, 'bob');
    assert.ok(!labeled.repository.html_url.includes('github.com'));
    const comment = gh.issueCommentCreated({
      repo: A,
      issue: labeled.issue.number,
      comment: '/warden please',
      sender: 'bob',
    });
    for (const key of exampleKeys.comment) assert.ok(key in comment.comment, `comment.${key}`);
    const octokit = client(await scopedToken(['project-a']));
    const { data: issue } = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
      owner: 'alice',
      repo: 'project-a',
      issue_number: labeled.issue.number,
    });
    assert.equal(issue.id, labeled.issue.id);
    assert.equal(issue.html_url, labeled.issue.html_url);
    const { data: comments } = await octokit.request(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { owner: 'alice', repo: 'project-a', issue_number: labeled.issue.number },
    );
    assert.deepEqual(
      comments.map((c) => [c.id, c.body, c.user?.login]),
      [[comment.comment.id, '/warden please', 'bob']],
    );
    const pull = gh.pulls.find((p) => p.repo === A);
    assert.ok(pull);
    const onPull = gh.issueCommentCreated({
      repo: A,
      issue: pull.number,
      comment: '/warden more',
      sender: 'bob',
      onPullRequest: true,
    });
    assert.equal(onPull.issue.pull_request?.url, `${gh.apiUrl}/repos/${A}/pulls/${pull.number}`);
  });
});
