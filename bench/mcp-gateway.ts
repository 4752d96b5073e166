/**
 * The MCP gateway's cost: one tool call to the same loopback Streamable HTTP MCP server, made by an
 * SDK client directly and through `warden serve`'s /mcp (key lookup, rate limit, budget, policy,
 * the intent written and synced to the signed log with its arguments sealed, redaction, the
 * injection scan, the outcome record) — added latency p50/p99, interleaved in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import Fastify from 'fastify';
import { z } from 'zod';
import type { Durability } from '../src/audit/index.ts';
import { startHttpUpstream } from '../src/mcp/testing/http-upstream.ts';
import { compileToPolicy } from '../src/policy/engine.ts';
import { parsePolicyFile } from '../src/policy/policy-file.ts';
import type { Policy } from '../src/policy/types.ts';
import { openServerGateway } from '../src/server/server-gateway.ts';
import { openSqliteAccountStore } from '../src/server/sqlite-account-store.ts';
import { openSqliteKeyStore } from '../src/server/sqlite-key-store.ts';
import { percentile, printTable } from './stats.ts';

const POLICY =
  'version: 1\nmcp:\n  allow:\n    - tool: tracker.get_issue\n      when: { project: "WARDEN" }\n';

/** The policy as Warden compiles it: one rule with a condition on an argument. */
async function benchPolicy(): Promise<Policy> {
  const parsed = parsePolicyFile(POLICY, 'bench.yaml');
  if (!parsed.ok) throw new Error(parsed.errors.map((error) => error.describe()).join('\n'));
  return compileToPolicy(parsed.file, 'bench.yaml');
}

async function client(url: string, key?: string) {
  const c = new Client({ name: 'bench', version: '1.0.0' });
  await c.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } },
    }),
  );
  return c;
}

async function timed(c: Client, name: string): Promise<number> {
  const started = performance.now();
  const result = await c.callTool({ name, arguments: { project: 'WARDEN', id: 7 } });
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
  return performance.now() - started;
}

export async function benchMcpGateway(runs: number): Promise<void> {
  // As served (each intent synced to disk before the call goes out), and without the sync, to
  // show what the write-ahead rule costs on this disk.
  for (const durability of ['group', 'none'] as const) await benchOne(runs, durability);
}

async function benchOne(runs: number, durability: Durability): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-bench-mcp-'));
  const upstream = await startHttpUpstream([
    {
      name: 'get_issue',
      description: 'Read an issue of a project.',
      input: { project: z.string(), id: z.number() },
      answer: () => 'Issue 7: the sum is off by one.',
    },
  ]);
  const policy = await benchPolicy();
  const gateway = await openServerGateway({
    config: undefined,
    source: 'bench',
    store: openSqliteKeyStore(':memory:'),
    accounts: openSqliteAccountStore(':memory:'),
    teamSpend: async () => ({ tokens: 0, cost: 0 }),
    mcp: {
      servers: [
        {
          name: 'tracker',
          transport: 'http',
          url: upstream.url,
          oauth: false,
          callTimeoutMs: 10_000,
          source: 'bench',
          trust: 'user',
        },
      ],
      callsPerMinute: 1_000_000,
    },
    policies: new Map([['default', policy]]),
    dataDir: dir,
    audit: { dir: join(dir, 'audit'), keyDir: join(dir, 'keys'), durability },
    env: {},
    cwd: dir,
    log: () => {},
  });
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await gateway.mount(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const { key } = await gateway.keys.issue({
    owner: 'bench',
    team: 'default',
    budget: {},
    createdBy: 'bench',
  });
  const direct = await client(upstream.url);
  const through = await client(`${url}/mcp`, key);
  try {
    const samples = Math.max(50, runs * 30);
    for (let i = 0; i < 20; i++) {
      await timed(direct, 'get_issue');
      await timed(through, 'tracker__get_issue');
    }
    const directTimes: number[] = [];
    const gatewayTimes: number[] = [];
    for (let i = 0; i < samples; i++) {
      directTimes.push(await timed(direct, 'get_issue'));
      gatewayTimes.push(await timed(through, 'tracker__get_issue'));
    }
    printTable(
      `MCP gateway, audit durability ${durability}: one tools/call, SDK client to a Streamable HTTP server (${samples} calls each, ms)`,
      [50, 99].map((q) => ({
        name: `tool call p${q}`,
        value: percentile(gatewayTimes, q),
        unit: 'ms',
        baseline: percentile(directTimes, q),
        baselineName: 'server direct',
      })),
    );
    console.log(
      `  added latency p50 ${(percentile(gatewayTimes, 50) - percentile(directTimes, 50)).toFixed(2)} ms,` +
        ` p99 ${(percentile(gatewayTimes, 99) - percentile(directTimes, 99)).toFixed(2)} ms`,
    );
  } finally {
    await through.close();
    await direct.close();
    await app.close();
    await gateway.close();
    await upstream.close();
    await rm(dir, { recursive: true, force: true });
  }
}
