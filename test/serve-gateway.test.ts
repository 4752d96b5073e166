/**
 * The model gateway inside `warden serve`: keys issued through the API, calls in both vendors'
 * formats routed to a scripted model and to a loopback OpenAI-compatible upstream that holds the
 * only real provider key, budgets (the key's and its team's), revocation, roles, the audit log,
 * and a restart that keeps keys and spend.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PUBLIC_KEY_FILE, verifyAuditLog } from '../src/audit/index.ts';
import { type Json, parseSse, readJson } from '../src/gateway/testing/wire.ts';
import { type ChatModelServer, startChatModelServer } from './chat-model-server.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

const UPSTREAM_KEY = 'sk-upstream-real-provider-key-7f3a9c2e41d8b6';
const ENV = { UPSTREAM_API_KEY: UPSTREAM_KEY };

let world: ServerWorld;
let served: Served;
let upstream: ChatModelServer;
let admin: ReturnType<typeof client>;
/** The key the admin issues first, used across the tests, and kept over the restart. */
let key: string;
let keyId: string;
/** Gateway calls made so far: each must be one audit record. */
let calls = 0;

before(async () => {
  world = await serverWorld();
  upstream = await startChatModelServer([
    { text: 'Upstream says hello.' },
    { text: 'Streamed from upstream.' },
  ]);
  const configHome = join(world.dir, 'home', '.config', 'warden');
  await mkdir(configHome, { recursive: true });
  await writeFile(
    join(configHome, 'warden.config.yaml'),
    [
      'providers:',
      '  compat:',
      `    up: { base_url: "${upstream.server.url}/v1", api_key_env: UPSTREAM_API_KEY }`,
      'prices:',
      '  "compat:up/gpt-up": { input: 1000, output: 1000 }',
      'retry: { max_attempts: 1 }',
      '',
    ].join('\n'),
  );
  await world.script('claude', [
    { text: 'Scripted answer one.' },
    { text: 'Scripted answer two.' },
    { text: 'Scripted answer three.' },
    { text: 'Scripted answer four.' },
  ]);
  await appendFile(
    join(world.data, 'server.yaml'),
    [
      '',
      'gateway:',
      '  default: compat:up/gpt-up',
      '  aliases: { "claude-*": script:../scripts/claude.json }',
      '',
    ].join('\n'),
  );
  served = await startServe(world, ENV);
  assert.ok(served.adminToken, served.output());
  admin = client(served.url, served.adminToken);
});

after(async () => {
  if (served?.child.exitCode === null) {
    served.child.kill('SIGTERM');
    assert.equal(await served.exited, 0, 'SIGTERM drains and exits 0');
  }
  assert.doesNotMatch(served?.output() ?? '', /internal error/, 'no request ended in a 5xx');
  await upstream?.close();
  await world?.cleanup();
});

/** POST to the gateway with a virtual key, as the vendors' SDKs do. */
async function gateway(path: string, body: unknown, withKey: string | undefined, anthropic = false) {
  calls += 1;
  const response = await fetch(`${served.url}/gateway${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(withKey === undefined
        ? {}
        : anthropic
          ? { 'x-api-key': withKey }
          : { authorization: `Bearer ${withKey}` }),
      ...(anthropic ? { 'anthropic-version': '2023-06-01' } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const streamed = response.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
  return { status: response.status, body: streamed ? parseSse(text) : JSON.parse(text), text };
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o',
  messages: [{ role: 'user', content }],
  ...extra,
});
const messages = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-4-5-20250929',
  max_tokens: 256,
  messages: [{ role: 'user', content }],
  ...extra,
});

async function auditRecords() {
  const text = await readFile(join(world.data, 'audit', 'gateway.audit.jsonl'), 'utf8');
  return {
    text,
    records: text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  };
}

async function issue(body: unknown, as = admin) {
  const issued = await as('POST', '/v1/keys', body);
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  return issued.body as { key: string; id: string };
}

test('the gateway is at /gateway: unknown paths and missing keys answer in the client vendor format', async () => {
  assert.match(served.output(), /model gateway at http:\/\/127\.0\.0\.1:\d+\/gateway .*compat:up\/gpt-up/);
  const unknown = await fetch(`${served.url}/gateway/v1/nothing`);
  assert.equal(unknown.status, 404);
  assert.equal((await readJson(unknown)).error.type, 'invalid_request_error');
  const anthropic = await fetch(`${served.url}/gateway/v1/nothing`, {
    headers: { 'anthropic-version': '2023-06-01' },
  });
  assert.deepEqual((await readJson(anthropic)).type, 'error');

  const noKey = await gateway('/v1/chat/completions', chat('hi'), undefined);
  assert.equal(noKey.status, 401);
  assert.equal(noKey.body.error.code, 'invalid_api_key');
  const apiToken = await gateway('/v1/messages', messages('hi'), served.adminToken, true);
  assert.equal(apiToken.status, 401, 'a Warden API token is not a gateway key');
  assert.equal(apiToken.body.error.type, 'authentication_error');
  // The key is checked before the body is read: a bad body with a bad key is a 401, not a 400.
  const badJson = await fetch(`${served.url}/gateway/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer wk-x' },
    body: '{"model": ',
  });
  assert.equal(badJson.status, 401);
  assert.equal((await readJson(badJson)).error.code, 'invalid_api_key');
  // Refused without a valid key, so not chain-recorded (anyone could grow the log): only counted.
  calls -= 2;
  assert.match(served.output(), /gateway: 1 request\(s\) without a valid virtual key refused so far/);
  // The API around it is unchanged: its own errors, its own 404.
  assert.equal((await admin('GET', '/v1/nothing')).body.error.code, 'not_found');
});

test('an admin issues a key through the API; it is shown once and listed without secrets', async () => {
  const bad = await admin('POST', '/v1/keys', { owner: 'x', budget: { tokens: -1 } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'budget.tokens');
  assert.equal((await admin('POST', '/v1/keys', {})).body.error.field, 'owner');
  const unknownTeam = await admin('POST', '/v1/keys', { owner: 'x', team: 'ghost' });
  assert.equal(unknownTeam.body.error.field, 'team');

  const issued = await issue({ owner: 'ci-agent', budget: { tokens: 1_000_000 } });
  assert.match(issued.key, /^wk-[A-Za-z0-9_-]{32}$/);
  assert.match(issued.id, /^wk-[0-9a-f]{12}$/);
  key = issued.key;
  keyId = issued.id;
  const listed = await admin('GET', '/v1/keys');
  const entry = listed.body.keys.find((k: { id: string }) => k.id === keyId);
  assert.deepEqual(
    { ...entry, createdAt: undefined },
    {
      id: keyId,
      owner: 'ci-agent',
      team: 'default',
      budget: { tokens: 1_000_000 },
      spent: { tokens: 0, cost: 0, calls: 0 },
      createdBy: 'admin',
      createdAt: undefined,
    },
  );
  assert.ok(!JSON.stringify(listed.body).includes(key.slice(3)), 'no key in the list');
});

test('OpenAI chat completions reach the upstream with Warden’s key, never the virtual one; prompts are redacted', async () => {
  const answer = await gateway(
    '/v1/chat/completions',
    chat(`Say hello. (The deploy key is ${UPSTREAM_KEY}.)`),
    key,
  );
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.choices[0].message.content, 'Upstream says hello.');
  const streamed = await gateway(
    '/v1/chat/completions',
    chat('Stream it.', { stream: true, stream_options: { include_usage: true } }),
    key,
  );
  assert.equal(streamed.status, 200, streamed.text);
  const text = streamed.body
    .filter((m: { data: unknown }) => typeof m.data === 'object')
    .map(
      (m: { data: { choices: Array<{ delta?: { content?: string } }> } }) =>
        m.data.choices[0]?.delta?.content ?? '',
    )
    .join('');
  assert.equal(text, 'Streamed from upstream.');
  assert.equal(streamed.body.at(-1).data, '[DONE]');

  assert.equal(upstream.server.requests.length, 2);
  for (const request of upstream.server.requests) {
    assert.equal(request.headers.authorization, `Bearer ${UPSTREAM_KEY}`, 'the upstream gets the real key');
    const seen = JSON.stringify(request.headers) + request.body;
    assert.ok(!seen.includes(key), 'the virtual key never leaves Warden');
  }
  const first = upstream.bodies()[0] ?? '';
  assert.match(first, /Say hello/);
  assert.ok(!first.includes(UPSTREAM_KEY), 'a provider key in a prompt is redacted before it goes upstream');
});

test('Anthropic messages, streamed and not, are answered by the scripted model the alias routes to', async () => {
  const answer = await gateway('/v1/messages', messages('Hi there.'), key, true);
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.content[0].text, 'Scripted answer one.');
  assert.equal(answer.body.model, 'claude-sonnet-4-5-20250929');
  const streamed = await gateway('/v1/messages', messages('Again.', { stream: true }), key, true);
  assert.equal(streamed.status, 200, streamed.text);
  const deltas = streamed.body
    .filter((m: { event?: string }) => m.event === 'content_block_delta')
    .map((m: { data: { delta: { text: string } } }) => m.data.delta.text)
    .join('');
  assert.equal(deltas, 'Scripted answer two.');
  assert.equal(streamed.body.at(-1).event, 'message_stop');
  assert.equal(upstream.server.requests.length, 2, 'the alias did not reach the upstream');
});

test("the key's spend shows in GET /v1/keys, and counts toward its team's", async () => {
  const entry = await waitFor('the spend of four calls', async () => {
    const { body } = await admin('GET', '/v1/keys');
    const found = body.keys.find((k: { id: string }) => k.id === keyId);
    return found?.spent.calls === 4 ? found : undefined;
  });
  assert.ok(entry.spent.tokens >= 220, `two upstream calls alone are 220 tokens: ${entry.spent.tokens}`);
  assert.ok(entry.spent.cost > 0, 'the upstream model has a price');
  const teams = await admin('GET', '/v1/teams');
  const team = teams.body.teams.find((t: { id: string }) => t.id === 'default');
  assert.equal(team.spent.tokens, entry.spent.tokens);
});

test('every call is one audit record — who, model, tokens, cost, status — never prompt text; the log verifies', async () => {
  const verified = await admin('GET', '/v1/gateway/audit/verify');
  assert.equal(verified.status, 200);
  assert.deepEqual(
    { ...verified.body, records: undefined, digests: undefined },
    {
      ok: true,
      open: true,
      records: undefined,
      digests: undefined,
    },
  );
  const { text, records } = await auditRecords();
  const gatewayCalls = records.filter((r) => r.type === 'gateway.call');
  assert.equal(gatewayCalls.length, calls, 'one record per call, refused ones included');
  const ok = gatewayCalls.filter((r) => r.data.status === 200);
  assert.equal(ok.length, 4);
  assert.deepEqual(
    ok.map((r) => [r.data.api, r.data.model?.replace(/^script:.*\//, 'script:'), r.data.stream]),
    [
      ['openai.chat', 'compat:up/gpt-up', false],
      ['openai.chat', 'compat:up/gpt-up', true],
      ['anthropic.messages', 'script:claude.json', false],
      ['anthropic.messages', 'script:claude.json', true],
    ],
  );
  for (const record of ok) {
    assert.deepEqual(
      [record.data.owner, record.data.team, record.data.keyId],
      ['ci-agent', 'default', keyId],
    );
    assert.ok(record.data.usage.inputTokens > 0 && record.data.durationMs >= 0);
  }
  assert.ok(ok[0].data.cost > 0);
  assert.deepEqual(
    gatewayCalls
      .filter((r) => r.data.status >= 400)
      .map((r) => [r.data.status, r.data.owner, r.data.error.code]),
    [],
    'keyless refusals are not recorded',
  );
  for (const secret of [
    'Say hello',
    'Stream it',
    'Hi there',
    'Scripted answer',
    'Upstream says',
    key,
    UPSTREAM_KEY,
  ]) {
    assert.ok(!text.includes(secret), `the audit log holds no "${secret}"`);
  }
});

test('a spent key budget, and a spent team budget, are a 429 in the vendor’s format', async () => {
  const tiny = await issue({ owner: 'tiny-agent', budget: { tokens: 1 } });
  assert.equal((await gateway('/v1/messages', messages('One.'), tiny.key, true)).status, 200);
  const openai = await gateway('/v1/chat/completions', chat('Two.'), tiny.key);
  assert.equal(openai.status, 429);
  assert.equal(openai.body.error.code, 'insufficient_quota');
  const anthropic = await gateway('/v1/messages', messages('Three.'), tiny.key, true);
  assert.equal(anthropic.status, 429);
  assert.equal(anthropic.body.error.type, 'rate_limit_error');

  assert.equal((await admin('POST', '/v1/teams', { id: 'lean', budget: { tokens: 1 } })).status, 201);
  const lean = await issue({ owner: 'lean-bot', team: 'lean' });
  const other = await issue({ owner: 'lean-bot-2', team: 'lean' });
  assert.equal((await gateway('/v1/messages', messages('Four.'), lean.key, true)).status, 200);
  const refused = await gateway('/v1/chat/completions', chat('Five.'), other.key);
  assert.equal(refused.status, 429, "the team's budget is spent by its other key");
  assert.match(refused.body.error.message, /team "lean" has spent its budget/);
});

test('a revoked key is a 401 at once', async () => {
  const doomed = await issue({ owner: 'doomed' });
  assert.equal((await admin('DELETE', `/v1/keys/${doomed.id}`)).status, 204);
  assert.equal((await admin('DELETE', `/v1/keys/${doomed.id}`)).status, 404);
  const refused = await gateway('/v1/chat/completions', chat('Still there?'), doomed.key);
  assert.equal(refused.status, 401);
  calls -= 1; // a revoked key authenticates no one: counted, not recorded
  const listed = await admin('GET', '/v1/keys');
  assert.ok(!listed.body.keys.some((k: { id: string }) => k.id === doomed.id));
});

test('Cedar decides: a viewer may not issue or list keys; an operator only for their own team', async () => {
  await admin('POST', '/v1/teams', { id: 'web' });
  await admin('POST', '/v1/users', { id: 'vera', team: 'web', role: 'viewer' });
  await admin('POST', '/v1/users', { id: 'otto', team: 'web', role: 'operator' });
  const viewer = client(served.url, (await admin('POST', '/v1/tokens', { user: 'vera' })).body.token);
  const operator = client(served.url, (await admin('POST', '/v1/tokens', { user: 'otto' })).body.token);

  const denied = await viewer('POST', '/v1/keys', { owner: 'vera-bot' });
  assert.equal(denied.status, 403);
  assert.match(denied.body.error.message, /vera \(viewer of team "web"\) may not issue gateway keys/);
  assert.equal((await viewer('GET', '/v1/keys')).status, 403);
  assert.equal((await viewer('GET', '/v1/gateway/audit/verify')).status, 403);

  const own = await issue({ owner: 'otto-bot' }, operator);
  assert.equal((await operator('POST', '/v1/keys', { owner: 'x', team: 'default' })).status, 403);
  const mine = await operator('GET', '/v1/keys');
  assert.deepEqual(
    mine.body.keys.map((k: { id: string }) => k.id),
    [own.id],
  );
  assert.equal(
    (await operator('DELETE', `/v1/keys/${keyId}`)).status,
    404,
    "another team's key is not found",
  );
  assert.equal((await operator('GET', '/v1/gateway/audit/verify')).status, 403);
});

test('a restart keeps the key, its spend and the audit chain', async () => {
  const before = (await admin('GET', '/v1/keys')).body.keys.find((k: { id: string }) => k.id === keyId);
  served.child.kill('SIGTERM');
  assert.equal(await served.exited, 0);
  const publicKey = readFileSync(join(world.data, 'keys', PUBLIC_KEY_FILE), 'utf8');
  const closed = await verifyAuditLog(join(world.data, 'audit', 'gateway.audit.jsonl'), { publicKey });
  assert.equal(closed.ok, true, 'the stopped server closed the log with its final digest');

  const token = served.adminToken;
  served = await startServe(world, ENV);
  admin = client(served.url, token);
  const kept = (await admin('GET', '/v1/keys')).body.keys.find((k: { id: string }) => k.id === keyId);
  assert.deepEqual(kept.spent, before.spent);
  const again = await gateway('/v1/messages', messages('After the restart.'), key, true);
  assert.equal(again.status, 200, again.text);
  const after = await waitFor('the spend after the restart', async () => {
    const found = (await admin('GET', '/v1/keys')).body.keys.find((k: { id: string }) => k.id === keyId);
    return found?.spent.calls === before.spent.calls + 1 ? found : undefined;
  });
  assert.ok(after.spent.tokens > before.spent.tokens);
  const verified = await admin('GET', '/v1/gateway/audit/verify');
  assert.equal(verified.body.ok, true, JSON.stringify(verified.body));
  const { records } = await auditRecords();
  assert.equal(records.filter((r) => r.type === 'gateway.call').length, calls);
});

test('a server without a gateway: section says so at start, and /gateway is a 404 saying how to turn it on', async () => {
  const bare = await serverWorld();
  const off = await startServe(bare);
  try {
    assert.match(off.output(), /model gateway off: add a gateway: section to .*server\.yaml/);
    const response = await fetch(`${off.url}/gateway/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer wk-x' },
      body: '{}',
    });
    assert.equal(response.status, 404);
    const body: Json = await readJson(response);
    assert.match(body.error.message, /the model gateway is off on this server/);
    assert.equal(body.error.type, 'invalid_request_error');
  } finally {
    off.child.kill('SIGTERM');
    await off.exited;
    await bare.cleanup();
  }
});
