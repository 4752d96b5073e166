/**
 * The MCP gateway of `warden serve` writes what upstream servers say (a failure's detail, why a
 * tool is withheld) into its signed log and its log lines: an upstream whose error page echoes the
 * request's headers must not put the bearer token Warden sent it there.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  type AuditRecord,
  auditLogPath,
  createLocalKeyWrapper,
  createLogDecryptor,
  PUBLIC_KEY_FILE,
  verifyAuditLog,
} from '../src/audit/index.ts';
import { GATEWAY_LOG } from '../src/server/gateway-audit.ts';
import { openServerGateway, type ServerGateway } from '../src/server/server-gateway.ts';
import { openSqliteAccountStore } from '../src/server/sqlite-account-store.ts';
import { openSqliteKeyStore } from '../src/server/sqlite-key-store.ts';

const TOKEN = 'jira-token-7f3k9QzX2mWp4vLr8sYt';

let dir: string;
let upstream: Server;
let sent: Array<string | undefined>;
let gateway: ServerGateway;
let app: FastifyInstance;
let url: string;
const lines: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-serve-mcp-echo-'));
  sent = [];
  // Every request fails, and the error page says what came in: headers and all.
  upstream = createServer((req, res) => {
    sent.push(req.headers.authorization);
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`upstream debug: headers=${JSON.stringify(req.headers)}`);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const port = (upstream.address() as AddressInfo).port;
  // The token reaches the gateway's redactor only as the credential's value (JIRA_PAT is not a
  // secret-looking name): the transport tells the redactor before sending it.
  await mkdir(join(dir, 'home', '.config', 'warden'), { recursive: true });
  await writeFile(
    join(dir, 'home', '.config', 'warden', 'warden.config.yaml'),
    `credentials:\n  jira:\n    host: 127.0.0.1:${port}\n    token_env: JIRA_PAT\n`,
  );
  gateway = await openServerGateway({
    config: undefined,
    source: join(dir, 'server.yaml'),
    store: openSqliteKeyStore(':memory:'),
    accounts: openSqliteAccountStore(':memory:'),
    teamSpend: async () => ({ tokens: 0, cost: 0 }),
    mcp: {
      servers: [
        {
          name: 'jira',
          transport: 'http',
          url: `http://127.0.0.1:${port}/mcp`,
          credential: 'jira',
          oauth: false,
          callTimeoutMs: 10_000,
          source: 'test',
          trust: 'user',
        },
      ],
      callsPerMinute: 10,
    },
    policies: new Map(),
    dataDir: dir,
    audit: { dir: join(dir, 'audit'), keyDir: join(dir, 'keys') },
    env: { HOME: join(dir, 'home'), JIRA_PAT: TOKEN },
    cwd: dir,
    log: (line) => lines.push(line),
  });
  app = Fastify();
  await gateway.mount(app);
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await app?.close();
  await gateway?.close();
  await new Promise((resolve) => upstream?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

test("an upstream's failure that echoes the bearer token is recorded and logged with the token redacted", async () => {
  const { key } = await gateway.keys.issue({ owner: 'ci', team: 'default', budget: {}, createdBy: 'test' });
  const client = new Client({ name: 'other-agent', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    }),
  );
  assert.deepEqual((await client.listTools()).tools, [], 'the failed server offers nothing');
  await client.close();
  assert.ok(sent.includes(`Bearer ${TOKEN}`), 'the upstream got the token, and echoed it back');

  const check = await gateway.audit?.verify(); // waits for pending writes
  assert.equal(check?.ok, true, JSON.stringify(check));
  const file = auditLogPath(join(dir, 'audit'), GATEWAY_LOG);
  const records = (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord & { data: Record<string, unknown> });
  const server = records.find((r) => r.type === 'mcp.server');
  assert.equal(server?.data.status, 'failed');
  assert.match(
    String(server?.data.detail),
    /upstream debug: headers=.*"authorization":"Bearer «secret:[^»]+»"/,
  );
  // Sealed records opened as `warden audit show --decrypt` does: none holds it either.
  const decryptor = createLogDecryptor(await createLocalKeyWrapper({ keyDir: join(dir, 'keys') }));
  const opened = await Promise.all(records.map((record) => decryptor.open(record)));
  for (const text of [JSON.stringify(records), JSON.stringify(opened), lines.join('\n')])
    assert.ok(!text.includes(TOKEN.slice(11)), text.slice(0, 400));
  assert.ok(lines.some((line) => line.startsWith('mcp: server jira failed: ') && line.includes('«secret:')));
});

test('closed, the log verifies as `warden audit verify` reads it', async () => {
  await app.close();
  await gateway.close();
  const file = auditLogPath(join(dir, 'audit'), GATEWAY_LOG);
  const publicKey = await readFile(join(dir, 'keys', PUBLIC_KEY_FILE), 'utf8');
  const result = await verifyAuditLog(file, { publicKey });
  assert.equal(result.ok, true, JSON.stringify(result));
});
