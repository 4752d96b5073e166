/**
 * The MCP gateway of `warden serve` at /mcp: an SDK client with a virtual key issued through the
 * API, a loopback Streamable HTTP MCP server upstream that records what reaches it, the policy of
 * the key's team, the per-key rate and budget, and the calls in the gateway's signed audit log.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  type AuditRecord,
  auditLogPath,
  createLocalKeyWrapper,
  createLogDecryptor,
  PUBLIC_KEY_FILE,
  verifyAuditLog,
} from '../src/audit/index.ts';
import { type HttpUpstream, startHttpUpstream } from '../src/mcp/testing/http-upstream.ts';
import { type CompiledPolicy, compileToPolicy } from '../src/policy/engine.ts';
import { parsePolicyFile } from '../src/policy/policy-file.ts';
import { buildApp } from '../src/server/app.ts';
import { createAuthorizer } from '../src/server/authorize.ts';
import { bootstrapAdmin } from '../src/server/bootstrap.ts';
import type { ServerConfig } from '../src/server/config.ts';
import { GATEWAY_LOG } from '../src/server/gateway-audit.ts';
import { openServerGateway, type ServerGateway } from '../src/server/server-gateway.ts';
import { openSqliteAccountStore } from '../src/server/sqlite-account-store.ts';
import { openSqliteKeyStore } from '../src/server/sqlite-key-store.ts';
import { openSqliteTaskStore } from '../src/server/sqlite-task-store.ts';
import { createLocalTaskBus } from '../src/server/task-bus.ts';
import { createLocalTaskQueue } from '../src/server/task-queue.ts';
import { sessionStateOf } from '../src/store/session-state.ts';
import { SessionStore } from '../src/store/session-store.ts';

const CALLS_PER_MINUTE = 5;

let dir: string;
let upstream: HttpUpstream;
let gateway: ServerGateway;
let app: FastifyInstance;
let url: string;
let admin: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-serve-mcp-'));
  upstream = await startHttpUpstream([
    {
      name: 'get_issue',
      description: 'Read an issue.',
      input: { id: z.number(), project: z.string().optional() },
    },
    { name: 'delete_issue', description: 'Delete an issue.', input: { id: z.number() } },
  ]);
  const config: ServerConfig = {
    source: join(dir, 'server.yaml'),
    repositories: [],
    repositoryUrls: [],
    clone: { depth: 1, timeoutMs: 1000, keep: false },
    models: [],
    defaultModel: undefined,
    policies: { strict: join(dir, 'strict.policy.yaml') },
    concurrency: 1,
    teamConcurrency: 1,
    drainTimeoutMs: 1000,
    mcp: {
      servers: [
        {
          name: 'tracker',
          transport: 'http',
          url: upstream.url,
          oauth: false,
          callTimeoutMs: 10_000,
          source: 'test',
          trust: 'user',
        },
      ],
      callsPerMinute: CALLS_PER_MINUTE,
    },
  };
  // The default team's policy allows reading issues, asks about some projects, denies one, and
  // denies deletes;
  // the strict team's denies the tracker altogether.
  const policies = new Map<string, CompiledPolicy>([
    [
      'default',
      await policy(
        'mcp:\n  allow: [tracker.get_issue]\n  ask:\n    - tool: tracker.get_issue\n      when: { project: "SECRET*" }\n  deny:\n    - tracker.delete_*\n    - tool: tracker.get_issue\n      when: { project: PAYROLL }\n',
      ),
    ],
    ['strict', await policy('mcp:\n  deny: [tracker.*]\n')],
  ]);
  const accounts = openSqliteAccountStore(':memory:');
  const tasks = openSqliteTaskStore(':memory:');
  admin = (await bootstrapAdmin(accounts, dir)) as string;
  const audit = { dir: join(dir, 'audit'), keyDir: join(dir, 'keys') };
  gateway = await openServerGateway({
    config: undefined,
    source: config.source,
    store: openSqliteKeyStore(':memory:'),
    accounts,
    teamSpend: (team) => tasks.teamSpend(team),
    mcp: config.mcp,
    policies,
    dataDir: dir,
    audit,
    env: {},
    cwd: dir,
    log: () => {},
  });
  app = await buildApp({
    config,
    tasks,
    accounts,
    sessions: sessionStateOf(SessionStore.memory()),
    bus: createLocalTaskBus(),
    queue: createLocalTaskQueue({ concurrency: 1, teamLimit: async () => 1 }),
    authorizer: createAuthorizer({ roots: () => [], policies: () => ['default', 'strict'] }),
    policies,
    auditDir: audit.dir,
    keyDir: audit.keyDir,
    env: {},
    cwd: dir,
    gateway,
    heartbeatMs: 1000,
    log: () => {},
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await app?.close();
  await gateway?.close();
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

async function policy(yaml: string): Promise<CompiledPolicy> {
  const parsed = parsePolicyFile(`version: 1\n${yaml}`, 'test.policy.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map((error) => error.describe()).join('\n'));
  return compileToPolicy(parsed.file, 'test.policy.yaml');
}

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: response.status === 204 ? undefined : await response.json() };
}

async function issueKey(owner: string, extra: Record<string, unknown> = {}) {
  const issued = await api('POST', '/v1/keys', { owner, ...extra });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  return issued.body as { id: string; key: string };
}

async function connect(key: string | undefined) {
  const client = new Client({ name: 'other-agent', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } },
  });
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return { client, transport, call };
}

const text = (result: CallToolResult) =>
  result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');

async function records() {
  await gateway.audit?.verify(); // waits for pending writes
  const lines = (await readFile(auditLogPath(join(dir, 'audit'), GATEWAY_LOG), 'utf8')).split('\n');
  return lines
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord & { data: Record<string, unknown> });
}

test('an allowed call reaches the upstream server through /mcp, and is counted as one of the key calls', async () => {
  const { id, key } = await issueKey('ci-agent');
  const { client, call } = await connect(key);
  const { tools } = await client.listTools();
  assert.deepEqual(
    tools.map((tool) => tool.name),
    ['tracker__get_issue', 'tracker__delete_issue'],
  );
  const before = upstream.calls.length;
  const result = await call('tracker__get_issue', { id: 7 });
  assert.equal(result.isError, undefined, text(result));
  assert.equal(text(result), '{"id":7}');
  assert.deepEqual(upstream.calls.slice(before), [{ tool: 'get_issue', args: { id: 7 } }]);
  await client.close();
  const keys = (await api('GET', '/v1/keys')).body as {
    keys: Array<{ id: string; spent: { calls: number } }>;
  };
  assert.equal(keys.keys.find((k) => k.id === id)?.spent.calls, 1);
});

test('denied calls, by tool and by an argument condition, never reach the upstream, and are recorded', async () => {
  const { id, key } = await issueKey('ci-agent');
  const { client, call } = await connect(key);
  const before = upstream.calls.length;
  const deleted = await call('tracker__delete_issue', { id: 7 });
  assert.equal(deleted.isError, true);
  assert.equal(
    text(deleted),
    'denied by policy (mcp.deny[0]): call tracker.delete_issue: denied by mcp.deny[0] (tracker.delete_*)',
  );
  const payroll = await call('tracker__get_issue', { id: 1, project: 'PAYROLL' });
  assert.match(text(payroll), /^denied by policy \(mcp\.deny\[1\]\)/);
  assert.equal(upstream.calls.length, before, 'the upstream saw nothing');
  await client.close();
  const decided = (await records()).filter((r) => r.type === 'mcp.decided' && r.data.keyId === id);
  assert.deepEqual(
    decided.map((r) => [
      r.data.tool,
      r.data.decision,
      r.data.policies,
      (r.data.refused as { code: string }).code,
    ]),
    [
      ['delete_issue', 'deny', ['mcp.deny[0]'], 'mcp.denied'],
      ['get_issue', 'deny', ['mcp.deny[1]'], 'mcp.denied'],
    ],
  );
});

test('a call the policy asks about is refused: no one can approve a gateway call', async () => {
  const { key } = await issueKey('ci-agent');
  const { client, call } = await connect(key);
  const before = upstream.calls.length;
  const result = await call('tracker__get_issue', { id: 1, project: 'SECRETS' });
  assert.equal(result.isError, true);
  assert.match(
    text(result),
    /^tracker\.get_issue needs a person's approval under the policy \(mcp\.ask\[0\]: .*\), and no one can give one on a gateway call: ask whoever keeps the policy to allow it under mcp: allow, or do this work as a Warden task, where approvals are asked$/,
  );
  assert.equal(upstream.calls.length, before);
  await client.close();
});

test("a key's calls are judged by its team's policy", async () => {
  assert.equal((await api('POST', '/v1/teams', { id: 'red', policies: ['strict'] })).status, 201);
  const { key } = await issueKey('red-agent', { team: 'red' });
  const { client, call } = await connect(key);
  const before = upstream.calls.length;
  const result = await call('tracker__get_issue', { id: 7 });
  assert.match(text(result), /^denied by policy \(mcp\.deny\[0\]\): call tracker\.get_issue: denied/);
  assert.equal(upstream.calls.length, before);
  await client.close();
});

test('no key, a made-up key and a revoked key are refused before anything is opened', async () => {
  await assert.rejects(connect(undefined), /401|invalid or missing virtual key/);
  await assert.rejects(connect('wk-made-up-key-that-was-never-issued'), /401|invalid or missing virtual key/);
  const { id, key } = await issueKey('short-lived');
  const { call, client } = await connect(key);
  assert.equal((await call('tracker__get_issue', { id: 1 })).isError, undefined);
  assert.equal((await api('DELETE', `/v1/keys/${id}`)).status, 204);
  await assert.rejects(call('tracker__get_issue', { id: 2 }), /401|invalid or missing virtual key/);
  await client.close().catch(() => {});
});

test('a session answers only the key that opened it: another key is told it does not exist', async () => {
  const first = await issueKey('first');
  const second = await issueKey('second');
  const { transport, client } = await connect(first.key);
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${second.key}`,
      'mcp-session-id': transport.sessionId as string,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'tracker__get_issue', arguments: { id: 1 } },
    }),
  });
  assert.equal(response.status, 404);
  assert.match(await response.text(), /Session not found/);
  await client.close();
});

test('a key past its calls per minute is refused with when to retry, and the upstream sees no more', async () => {
  const { key } = await issueKey('busy');
  const { client, call } = await connect(key);
  const before = upstream.calls.length;
  for (let n = 0; n < CALLS_PER_MINUTE; n++)
    assert.equal((await call('tracker__get_issue', { id: n })).isError, undefined);
  const over = await call('tracker__get_issue', { id: 99 });
  assert.equal(over.isError, true);
  assert.match(
    text(over),
    /^rate limited: key wk-\w+ may make 5 MCP calls a minute \(mcp_gateway\.calls_per_minute\); retry in \d+s$/,
  );
  assert.equal(upstream.calls.length - before, CALLS_PER_MINUTE);
  await client.close();
});

test('a key whose budget is spent makes no MCP calls either', async () => {
  const { key } = await issueKey('broke', { budget: { tokens: 0 } });
  const { client, call } = await connect(key);
  const before = upstream.calls.length;
  const result = await call('tracker__get_issue', { id: 1 });
  assert.match(text(result), /token budget of broke's key is spent/);
  assert.equal(upstream.calls.length, before);
  await client.close();
});

test('the gateway log verifies and holds each call: who, tool, decision, digests; the arguments sealed', async () => {
  const { id, key } = await issueKey('audited');
  const { client, call } = await connect(key);
  await call('tracker__get_issue', { id: 4242, project: 'sealed-sentinel' });
  await client.close();
  const verified = (await api('GET', '/v1/gateway/audit/verify')).body as { ok: boolean };
  assert.equal(verified.ok, true, JSON.stringify(verified));
  const all = await records();
  const mine = all.filter((r) => r.data.keyId === id);
  assert.deepEqual(
    mine.map((r) => r.type),
    ['mcp.server', 'mcp.decided', 'mcp.finished'],
  );
  const [server, decided, finished] = mine;
  // Sealed whole, the request is known by its place: just before its decision.
  const requested = all[all.indexOf(decided as (typeof all)[number]) - 1];
  assert.equal(requested?.type, 'mcp.requested');
  assert.deepEqual(server?.data.tools, ['tracker.get_issue', 'tracker.delete_issue']);
  assert.equal(requested?.data.enc, 'aes-256-gcm', 'the arguments are sealed');
  assert.ok(!JSON.stringify(all).includes('sealed-sentinel'));
  // Whoever holds the master key reads them, as `warden audit show --decrypt` does.
  const decryptor = createLogDecryptor(await createLocalKeyWrapper({ keyDir: join(dir, 'keys') }));
  let opened: unknown;
  for (const record of all) {
    const data = await decryptor.open(record);
    if (record === requested) opened = data;
  }
  assert.deepEqual(opened, {
    id: decided?.data.id,
    keyId: id,
    owner: 'audited',
    team: 'default',
    server: 'tracker',
    tool: 'get_issue',
    args: { id: 4242, project: 'sealed-sentinel' },
  });
  assert.equal(decided?.data.owner, 'audited');
  assert.equal(decided?.data.team, 'default');
  assert.equal(decided?.data.tool, 'get_issue');
  assert.equal(decided?.data.decision, 'allow');
  assert.deepEqual(decided?.data.policies, ['mcp.allow[0]']);
  assert.match(String(decided?.data.argsSha256), /^[0-9a-f]{64}$/);
  assert.equal(finished?.data.ok, true);
  assert.match(String(finished?.data.resultSha256), /^[0-9a-f]{64}$/);
  assert.equal(typeof finished?.data.durationMs, 'number');
});

test('closed, the log verifies as `warden audit verify` reads it', async () => {
  await app.close();
  await gateway.close();
  const file = auditLogPath(join(dir, 'audit'), GATEWAY_LOG);
  const publicKey = await readFile(join(dir, 'keys', PUBLIC_KEY_FILE), 'utf8');
  const result = await verifyAuditLog(file, { publicKey });
  assert.equal(result.ok, true, JSON.stringify(result));
});
