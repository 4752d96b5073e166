import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadPolicy } from '../policy/load.ts';
import { sessionStateOf } from '../store/session-state.ts';
import { SessionStore } from '../store/session-store.ts';
import { buildApp, OPENAPI } from './app.ts';
import { createAuthorizer } from './authorize.ts';
import { bootstrapAdmin } from './bootstrap.ts';
import type { ServerConfig } from './config.ts';
import { openSqliteAccountStore } from './sqlite-account-store.ts';
import { openSqliteTaskStore } from './sqlite-task-store.ts';
import { createLocalTaskBus } from './task-bus.ts';
import { createLocalTaskQueue } from './task-queue.ts';

let app: FastifyInstance;
let token: string;
let dataDir: string;
const logged: string[] = [];

before(async () => {
  const config: ServerConfig = {
    source: 'test',
    repositories: [],
    repositoryUrls: [],
    clone: { depth: 1, timeoutMs: 1000, keep: false },
    models: ['script:/s/*'],
    defaultModel: undefined,
    policies: {},
    concurrency: 1,
    teamConcurrency: 1,
    drainTimeoutMs: 1000,
  };
  const accounts = openSqliteAccountStore(':memory:');
  dataDir = await mkdtemp(join(tmpdir(), 'warden-app-'));
  token = (await bootstrapAdmin(accounts, dataDir)) as string;
  app = await buildApp({
    config,
    tasks: openSqliteTaskStore(':memory:'),
    accounts,
    sessions: sessionStateOf(SessionStore.memory()),
    bus: createLocalTaskBus(),
    // Never started: nothing runs in these tests.
    queue: createLocalTaskQueue({ concurrency: 1, teamLimit: async () => 1 }),
    authorizer: createAuthorizer({ roots: () => [], policies: () => ['default'] }),
    policies: new Map([['default', await loadPolicy()]]),
    auditDir: '/nonexistent',
    keyDir: '/nonexistent',
    env: {},
    cwd: '/',
    heartbeatMs: 1000,
    log: (line) => logged.push(line),
  });
});
after(async () => {
  await app?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const auth = () => ({ authorization: `Bearer ${token}` });

test('the OpenAPI document is served without a token; everything under /v1 needs one', async () => {
  const spec = await app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(spec.statusCode, 200);
  assert.equal(spec.json().openapi, '3.1.0');
  const anonymous = await app.inject({ method: 'GET', url: '/v1/tasks' });
  assert.equal(anonymous.statusCode, 401);
  assert.equal(anonymous.json().error.code, 'auth.unauthenticated');
  assert.deepEqual((await app.inject({ method: 'GET', url: '/v1/me', headers: auth() })).json(), {
    user: 'admin',
    role: 'admin',
    team: 'default',
  });
});

test('every operation in the document has a handler: none answers "not implemented"', async () => {
  const paths = OPENAPI.paths as Record<string, Record<string, unknown>>;
  for (const [path, operations] of Object.entries(paths)) {
    for (const method of Object.keys(operations)) {
      const url = path.replace('{id}', method === 'delete' ? '0123456789abcdef' : 'x1');
      const response = await app.inject({
        method: method.toUpperCase() as 'GET',
        url,
        headers: { ...auth(), ...(method === 'post' ? { 'content-type': 'application/json' } : {}) },
        ...(method === 'post' ? { payload: '{}' } : {}),
      });
      assert.ok(response.statusCode < 500, `${method} ${path}: ${response.statusCode} ${response.body}`);
      assert.equal(typeof (response.statusCode === 204 ? {} : response.json()), 'object');
    }
  }
  assert.deepEqual(
    logged.filter((l) => l.startsWith('internal')),
    [],
  );
});

test('unknown routes and methods are JSON 404s', async () => {
  for (const [method, url] of [
    // `/` is the console's page (src/console); other paths outside the API are not found.
    ['GET', '/nope'],
    ['GET', '/v1/unknown'],
    ['PUT', '/v1/tasks'],
  ] as const) {
    const response = await app.inject({ method, url, headers: auth() });
    assert.equal(response.statusCode, 404, `${method} ${url}`);
    assert.equal(response.json().error.code, 'not_found');
  }
});

test('request bodies are validated by the document, the first problem named by its field', async () => {
  const post = (payload: string) =>
    app.inject({
      method: 'POST',
      url: '/v1/tasks',
      headers: { ...auth(), 'content-type': 'application/json' },
      payload,
    });
  const cases: Array<[string, string]> = [
    ['{"instruction":"x","model":"m"}', 'repository'],
    ['{"repository":"/r","instruction":"","model":"m"}', 'instruction'],
    ['{"repository":"/r","instruction":"x","model":"m","limits":{"cost":-1}}', 'limits.cost'],
    [
      '{"repository":"/r","instruction":"x","model":"m","limits":{"wallTimeSeconds":1e9}}',
      'limits.wallTimeSeconds',
    ],
    ['{"repository":"/r","instruction":"x","model":"m","policy":"a/b"}', 'policy'],
  ];
  for (const [payload, field] of cases) {
    const response = await post(payload);
    assert.equal(response.statusCode, 400, payload);
    assert.equal(response.json().error.field, field, response.body);
  }
  const text = await app.inject({
    method: 'POST',
    url: '/v1/tasks',
    headers: { ...auth(), 'content-type': 'text/plain' },
    payload: 'fix it',
  });
  assert.equal(text.statusCode, 415);
});
