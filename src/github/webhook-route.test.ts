import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { GitHubApp } from './app-client.ts';
import { parseGitHubConfig } from './config.ts';
import { refusalMemory } from './intake.ts';
import { type GitHubStore, sqliteGitHubStore } from './store.ts';
import { WEBHOOK_PATH, webhookRoute } from './webhook-route.ts';

/**
 * The webhook route with the real store, signature check and intake, and a recording stand-in for
 * GitHub's REST API and the task desk: what a delivery may and may not make happen.
 */
const SECRET = 'webhook-secret';
let dir: string;
let server: FastifyInstance;
let store: GitHubStore;
const calls: Array<{ route: string; params: Record<string, unknown> }> = [];
const started: string[] = [];
const failing = new Set<string>();
const permissions = new Map<string, string>([['alice', 'write']]);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'webhook-route-'));
  const file = join(dir, 'server.yaml');
  await writeFile(file, 'github: {}\n');
  const config = parseGitHubConfig(
    { app_id: 1, private_key_file: '/dev/null', repositories: [{ repository: 'acme/api', team: 'backend' }] },
    file,
  );
  assert.ok(config);
  const app: GitHubApp = {
    config,
    async forRepository(_installation, fullName) {
      const [owner = '', repo = ''] = fullName.split('/');
      const request = async (route: string, params: Record<string, unknown>) => {
        calls.push({ route, params });
        if (failing.has(route)) throw Object.assign(new Error(`${route} failed`), { status: 502 });
        if (route.includes('/permission'))
          return { data: { permission: permissions.get(String(params.username)) ?? 'none' } };
        return { data: {} };
      };
      return { owner, repo, token: 'ghs_test', octokit: { request } as never };
    },
  };
  store = sqliteGitHubStore(join(dir, 'server.db'));
  server = Fastify({ logger: false });
  await server.register(
    webhookRoute({
      app,
      store,
      secret: SECRET,
      redact: (text) => text,
      log: () => undefined,
      refusals: refusalMemory({ spanMs: 60_000, max: 100 }),
      desk: {
        async start(request) {
          const taskId = `t${started.length + 1}`;
          await request.link(taskId);
          started.push(taskId);
          return { taskId };
        },
        unfinished: async () => false,
      },
    }),
  );
});

after(async () => {
  await server.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

function labeled(body: string, at = new Date()) {
  return JSON.stringify({
    action: 'labeled',
    label: { name: 'warden' },
    installation: { id: 7 },
    repository: { full_name: 'acme/api', default_branch: 'main' },
    sender: { login: 'alice', type: 'User' },
    issue: {
      number: 12,
      title: 'Bug',
      body,
      user: { login: 'eve' },
      html_url: 'u',
      updated_at: at.toISOString(),
    },
  });
}

function comment(sender: string, text: string) {
  return JSON.stringify({
    action: 'created',
    installation: { id: 7 },
    repository: { full_name: 'acme/api', default_branch: 'main' },
    sender: { login: sender, type: 'User' },
    issue: { number: 12, title: 'Bug', body: '', user: { login: 'eve' }, html_url: 'u' },
    comment: {
      id: Math.floor(Math.random() * 1e9),
      body: text,
      html_url: 'c',
      created_at: new Date().toISOString(),
    },
  });
}

async function deliver(
  event: string,
  body: Buffer | string,
  options: { id?: string; signature?: string } = {},
) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const response = await server.inject({
    method: 'POST',
    url: WEBHOOK_PATH,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': options.id ?? randomUUID(),
      'x-hub-signature-256':
        options.signature ?? `sha256=${createHmac('sha256', SECRET).update(bytes).digest('hex')}`,
    },
    payload: bytes,
  });
  return { status: response.statusCode, body: response.json() };
}

test('bytes that are not UTF-8 are refused before the signature: a body cannot be varied under one signature', async () => {
  const before = started.length;
  // U+FFFD in the issue body, then the same text with each of its encodings swapped for an invalid byte.
  const text = Buffer.from(labeled('look: \uFFFD'));
  const at = text.indexOf(Buffer.from('\uFFFD'));
  for (const invalid of [0x80, 0xbf, 0xc0, 0xff]) {
    const variant = Buffer.concat([text.subarray(0, at), Buffer.from([invalid]), text.subarray(at + 3)]);
    // Signed as GitHub would sign these very bytes, and still refused.
    const answer = await deliver('issues', variant);
    assert.equal(answer.status, 400, JSON.stringify(answer.body));
  }
  assert.equal(started.length, before);
});

test('a body larger than any event Warden takes is refused unread', async () => {
  const answer = await deliver('issues', labeled('x'.repeat(3 * 1024 * 1024)));
  assert.equal(answer.status, 413);
});

test('an event older than the deliveries Warden remembers is refused as stale', async () => {
  const before = started.length;
  const old = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);
  const answer = await deliver('issues', labeled('old', old));
  assert.equal(answer.body.status, 'stale');
  assert.equal(started.length, before);
});

test('a reaction that fails after the task started does not fail the delivery: its redelivery starts nothing', async () => {
  failing.add('POST /repos/{owner}/{repo}/issues/{issue_number}/reactions');
  try {
    const body = labeled('react fails');
    const id = randomUUID();
    const first = await deliver('issues', body, { id });
    assert.equal(first.status, 202);
    assert.equal(first.body.status, 'started');
    const count = started.length;
    const again = await deliver('issues', body, { id });
    assert.equal(again.body.status, 'duplicate');
    assert.equal(started.length, count);
  } finally {
    failing.clear();
  }
});

test('a stranger repeating /warden gets one polite reply, not one per comment', async () => {
  const replies = () =>
    calls.filter((c) => c.route.endsWith('/comments') && String(c.params.body).includes('@stranger')).length;
  const before = replies();
  for (let i = 0; i < 5; i++) {
    const answer = await deliver('issue_comment', comment('stranger', '/warden do it'));
    assert.equal(answer.body.status, 'refused');
  }
  assert.equal(replies() - before, 1);
});
