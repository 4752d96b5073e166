import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxLimits } from '../src/agent/session-parts.ts';
import { loadPolicy } from '../src/policy/load.ts';
import type { Policy, PolicyAction } from '../src/policy/types.ts';
import { createBwrapSandbox } from '../src/sandbox/bwrap.ts';
import { startEgressProxy } from '../src/sandbox/egress-proxy.ts';
import type { Sandbox } from '../src/sandbox/types.ts';
import { percentile, printTable } from './stats.ts';

/**
 * Issue 3's numbers: what a sandboxed command start, a request through the egress proxy and a
 * policy decision cost, each beside its bare equivalent measured in the same run. Sample counts
 * scale with `runs` (10 by default: 100 starts, 300 requests, 2000 decisions per action).
 */
export async function benchSandboxAndPolicy(runs: number): Promise<void> {
  const policy = await loadPolicy();
  await benchSandboxStart(runs * 10, policy);
  await benchEgressProxy(runs * 30);
  await benchDecide(runs * 200, policy);
}

async function benchSandboxStart(samples: number, policy: Policy): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-bench-sandbox-'));
  try {
    const limited = createBwrapSandbox({ workspace: dir, limits: sandboxLimits(policy) });
    const unlimited = createBwrapSandbox({ workspace: dir });
    // The first run of each probes bubblewrap once: start-up, not the per-command cost.
    await runTrue(limited);
    await runTrue(unlimited);
    await spawnTrue();
    const bare: number[] = [];
    const withLimits: number[] = [];
    const withoutLimits: number[] = [];
    // Interleaved, so a slow moment of the machine lands on all three alike.
    for (let i = 0; i < samples; i++) {
      bare.push(await spawnTrue());
      withLimits.push(await runTrue(limited));
      withoutLimits.push(await runTrue(unlimited));
    }
    const bareSpawn = (p: number) => ({ baseline: percentile(bare, p), baselineName: "spawn('true')" });
    printTable(`sandboxed \`true\` start to exit (${samples} runs, ms)`, [
      {
        name: 'bwrap, default-policy limits p50',
        value: percentile(withLimits, 50),
        unit: 'ms',
        ...bareSpawn(50),
      },
      {
        name: 'bwrap, default-policy limits p99',
        value: percentile(withLimits, 99),
        unit: 'ms',
        ...bareSpawn(99),
      },
      { name: 'bwrap, no limits p50', value: percentile(withoutLimits, 50), unit: 'ms', ...bareSpawn(50) },
      { name: 'bwrap, no limits p99', value: percentile(withoutLimits, 99), unit: 'ms', ...bareSpawn(99) },
      {
        name: 'bwrap, limits against none p50',
        value: percentile(withLimits, 50),
        unit: 'ms',
        baseline: percentile(withoutLimits, 50),
        baselineName: 'no limits',
      },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runTrue(sandbox: Sandbox): Promise<number> {
  const started = performance.now();
  const result = await sandbox.run({ argv: ['true'], timeoutMs: 10_000 });
  const elapsed = performance.now() - started;
  // A run that failed (e.g. the cgroup could not be joined) is not the cost being measured.
  if (result.exitCode !== 0) throw new Error(`sandboxed true exited ${result.exitCode}: ${result.stderr}`);
  return elapsed;
}

/** Until the pipes close, as sandbox.run waits for its output too. */
function spawnTrue(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('true');
    child.on('error', reject);
    child.on('close', () => resolve(performance.now() - started));
  });
}

async function benchEgressProxy(samples: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-bench-proxy-'));
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  let proxy: { close(): Promise<void> } | undefined;
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const socketPath = join(dir, 'proxy.sock');
    let refused = 0;
    proxy = await startEgressProxy({
      socketPath,
      allow: [`127.0.0.1:${port}`],
      onRequest: (record) => {
        if (!record.allowed) refused++;
      },
    });
    const direct = () => get({ host: '127.0.0.1', port, path: '/' });
    const proxied = () =>
      get({ socketPath, path: `http://127.0.0.1:${port}/`, headers: { host: `127.0.0.1:${port}` } });
    for (let i = 0; i < 20; i++) {
      await direct();
      await proxied();
    }
    const bare: number[] = [];
    const through: number[] = [];
    for (let i = 0; i < samples; i++) {
      bare.push(await direct());
      through.push(await proxied());
    }
    if (refused > 0) throw new Error(`the proxy refused ${refused} requests it should have allowed`);
    const directAt = (p: number) => ({ baseline: percentile(bare, p), baselineName: 'direct GET' });
    printTable(`egress proxy, sequential GETs, no keep-alive (${samples} requests, ms)`, [
      { name: 'GET through the proxy p50', value: percentile(through, 50), unit: 'ms', ...directAt(50) },
      { name: 'GET through the proxy p99', value: percentile(through, 99), unit: 'ms', ...directAt(99) },
      {
        name: 'added by the proxy p50',
        value: percentile(through, 50) - percentile(bare, 50),
        unit: 'ms',
        ...directAt(50),
      },
      {
        name: 'added by the proxy p99',
        value: percentile(through, 99) - percentile(bare, 99),
        unit: 'ms',
        ...directAt(99),
      },
    ]);
  } finally {
    await proxy?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }
}

/** One GET on a fresh connection (`agent: false` sends `Connection: close`), timed to the body's end. */
function get(options: http.RequestOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request({ ...options, method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        if (res.statusCode !== 200 || body !== 'ok')
          reject(new Error(`GET answered ${res.statusCode}: ${body}`));
        else resolve(performance.now() - started);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function benchDecide(samples: number, policy: Policy): Promise<void> {
  const cases: Array<{ name: string; action: PolicyAction }> = [
    { name: 'decide file.read src/index.ts', action: { kind: 'file.read', path: 'src/index.ts' } },
    { name: 'decide file.write src/index.ts', action: { kind: 'file.write', path: 'src/index.ts' } },
    {
      name: 'decide shell `npm test && git status`',
      action: { kind: 'shell', command: 'npm test && git status' },
    },
  ];
  const trivial = async (action: PolicyAction) => action.kind;
  const baseline = await timeMicros(samples, () =>
    trivial(cases[0]?.action ?? { kind: 'file.read', path: '.' }),
  );
  const rows = [];
  for (const { name, action } of cases) {
    // Every case is one the default policy allows, so the full path is timed, not an early refusal.
    const decision = await policy.decide(action);
    if (decision.decision !== 'allow') throw new Error(`${name}: expected allow, got ${decision.decision}`);
    const micros = await timeMicros(samples, () => policy.decide(action));
    for (const p of [50, 99]) {
      rows.push({
        name: `${name} p${p}`,
        value: percentile(micros, p),
        unit: 'us',
        baseline: percentile(baseline, p),
        baselineName: 'async no-op',
      });
    }
  }
  printTable(`policy decision, default policy (${samples} calls each, microseconds)`, rows);
}

/** Each call timed on its own, after a warm-up of a tenth as many, in microseconds. */
async function timeMicros(samples: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.ceil(samples / 10); i++) await call();
  const micros: number[] = [];
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await call();
    micros.push((performance.now() - started) * 1000);
  }
  return micros;
}
