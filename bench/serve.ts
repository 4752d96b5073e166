/**
 * `warden serve` under load, in one process as the embedded default runs it: the time from POST to
 * the task's `session.started`, SSE delivery latency while tasks run, the memory an idle session
 * parked on an approval costs, and how many such sessions one machine holds within stated bounds.
 * Baselines are measured in the same run: a bare `warden exec` start, an HTTP round trip to the
 * same server, a loopback round trip to a bare Node server, and the idle server's own RSS.
 */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { WARDEN } from '../test/cli.ts';
import { client, readSse, type ServerWorld, serverWorld, startServe, waitFor } from '../test/server.ts';
import { percentile, printTable } from './stats.ts';
import { timeUntil } from './time-until.ts';

/** The bounds the capacity figure is stated against. */
const RSS_BOUND_MB = 1024;
const P99_BOUND_MS = 100;
/** Wall time the capacity search may take before it reports what it reached. */
const CAPACITY_BUDGET_MS = 20_000;
const STEPS = [10, 25, 50, 100, 150, 200, 300, 400];

export async function benchServe(runs: number): Promise<void> {
  const world = await serverWorld();
  let kill: (() => void) | undefined;
  try {
    await writeFile(
      join(world.data, 'server.yaml'),
      [
        `repositories: [${JSON.stringify(world.repos)}]`,
        `models: [${JSON.stringify(`script:${world.scripts}/*`)}]`,
        `policies: { permissive: ${JSON.stringify(join(world.dir, 'permissive.policy.yaml'))} }`,
        'concurrency: 1000',
        'team_concurrency: 1000',
      ].join('\n'),
    );
    const served = await startServe(world);
    kill = () => served.child.kill('SIGKILL');
    const token = served.adminToken as string;
    const api = client(served.url, token);
    const template = await world.repo('template');
    let made = 0;
    const freshRepo = async () => {
      const repo = join(world.repos, `r${made++}`);
      await cp(template, repo, { recursive: true });
      return repo;
    };
    const quick = await world.script('quick', [{ text: 'ok' }]);
    const start = async (model: string, policy = 'default') => {
      const { status, body } = await api('POST', '/v1/tasks', {
        repository: await freshRepo(),
        instruction: 'bench',
        model,
        policy,
      });
      if (status !== 201) throw new Error(`POST /v1/tasks: ${status} ${JSON.stringify(body)}`);
      return body.id as string;
    };
    const ended = (id: string) =>
      waitFor(
        `task ${id}`,
        async () => ['succeeded', 'failed'].includes((await api('GET', `/v1/tasks/${id}`)).body.status),
        60_000,
      );
    // Warm-up: the first session loads the sandbox, policy and audit code; that is start-up, not load.
    await ended(await start(quick));

    await benchStart(runs, world, served.url, token, api, start, quick);
    await benchSse(world, served.url, token, start, ended);
    await benchCapacity(world, served.child.pid as number, api, start);
  } finally {
    kill?.();
    await world.cleanup();
  }
}

type Api = ReturnType<typeof client>;
type Start = (model: string, policy?: string) => Promise<string>;

async function benchStart(
  runs: number,
  world: ServerWorld,
  url: string,
  token: string,
  api: Api,
  start: Start,
  quick: string,
): Promise<void> {
  const started: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const id = await start(quick);
    await readSse(`${url}/v1/tasks/${id}/events`, token, {}, (m) => m.data?.type === 'session.started');
    started.push(performance.now() - t);
  }
  const exec: number[] = [];
  const repo = join(world.dir, 'repos', 'template');
  for (let i = 0; i < runs; i++) {
    exec.push(
      await timeUntil(
        [process.execPath, WARDEN, 'exec', '--json', '--repo', repo, '--model', quick, 'bench'],
        (line) => line.includes('"type":"session.started"'),
        world.dir,
        {
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: world.dir,
            XDG_CONFIG_HOME: join(world.dir, 'none'),
          },
          stderr: 'ignore',
        },
      ),
    );
  }
  const noop: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await api('GET', '/v1/me');
    noop.push(performance.now() - t);
  }
  printTable('warden serve: task start latency (ms, median of runs)', [
    {
      name: 'POST /v1/tasks → session.started (SSE)',
      value: percentile(started, 50),
      unit: 'ms',
      baseline: percentile(exec, 50),
      baselineName: 'warden exec start',
    },
    {
      name: 'POST /v1/tasks → session.started (SSE)',
      value: percentile(started, 50),
      unit: 'ms',
      baseline: percentile(noop, 50),
      baselineName: 'GET /v1/me',
    },
  ]);
}

async function benchSse(
  world: ServerWorld,
  url: string,
  token: string,
  start: Start,
  ended: (id: string) => Promise<unknown>,
): Promise<void> {
  const tasks = 4;
  const calls = 25;
  const busy = await world.script('busy', [
    ...Array.from({ length: calls }, () => ({ calls: [{ tool: 'shell', args: { command: 'true' } }] })),
    { text: 'done' },
  ]);
  const bare = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
  const latencies: number[] = [];
  const roundTrips: number[] = [];
  let loading = true;
  const pinger = (async () => {
    while (loading) {
      const t = performance.now();
      await (await fetch(bareUrl)).text();
      roundTrips.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const follow = async (id: string) => {
    // Only events emitted after the stream is open count: history is not delivery latency.
    const opened = Date.now();
    await readSse(`${url}/v1/tasks/${id}/events`, token, {}, (message) => {
      const time = message.data?.time;
      if (typeof time === 'string' && Date.parse(time) > opened)
        latencies.push(Date.now() - Date.parse(time));
      return message.event === 'end';
    });
  };
  const ids = await Promise.all(Array.from({ length: tasks }, () => start(busy, 'permissive')));
  await Promise.all([...ids.map(follow), ...ids.map(ended)]);
  loading = false;
  await pinger;
  bare.close();
  printTable(
    `warden serve: SSE delivery, event emitted → received, while ${tasks} tasks run ${calls} sandboxed commands each (${latencies.length} events, ms; event times have ms resolution)`,
    [50, 99].map((q) => ({
      name: `SSE event delivery p${q}`,
      value: percentile(latencies, q),
      unit: 'ms',
      baseline: percentile(roundTrips, q),
      baselineName: 'loopback HTTP round trip',
    })),
  );
}

async function benchCapacity(world: ServerWorld, pid: number, api: Api, start: Start): Promise<void> {
  // `sleep` is in no list of the default policy: each task parks on an approval nobody answers.
  const ask = await world.script('ask', [{ calls: [{ tool: 'shell', args: { command: 'sleep 0' } }] }]);
  await settle();
  const idle = await rssMb(pid);
  const idleFds = await openFiles(pid);
  const ids: string[] = [];
  const began = performance.now();
  let held: { n: number; rss: number; p99: number; fds: number } | undefined;
  let stopped = `the ${CAPACITY_BUDGET_MS / 1000} s time budget of this bench`;
  for (const target of STEPS) {
    if (performance.now() - began > CAPACITY_BUDGET_MS) break;
    while (ids.length < target) ids.push(await start(ask));
    await waitFor(
      `${target} parked sessions`,
      async () => {
        const { body } = await api('GET', '/v1/tasks?status=waiting_approval&limit=200');
        return body.tasks.length >= Math.min(target, 200) && (await parkedCount(api)) >= target;
      },
      120_000,
    );
    await settle();
    const rss = await rssMb(pid);
    const times: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t = performance.now();
      await api('GET', `/v1/tasks/${ids[i % ids.length]}`);
      times.push(performance.now() - t);
    }
    const p99 = percentile(times, 99);
    if (rss > RSS_BOUND_MB || p99 > P99_BOUND_MS) {
      stopped = rss > RSS_BOUND_MB ? `RSS over ${RSS_BOUND_MB} MB` : `p99 over ${P99_BOUND_MS} ms`;
      break;
    }
    held = { n: target, rss, p99, fds: await openFiles(pid) };
  }
  if (!held) throw new Error(`not even ${STEPS[0]} parked sessions fit the bounds`);
  const perSession = (held.rss - idle) / held.n;
  printTable(`warden serve: ${held.n} sessions parked on an approval in one process (MB)`, [
    {
      name: 'RSS with the sessions parked',
      value: held.rss,
      unit: 'MB',
      baseline: idle,
      baselineName: 'idle serve',
    },
  ]);
  console.log(
    `  memory per parked session: ${perSession.toFixed(2)} MB (RSS delta / ${held.n}); open files per session: ${((held.fds - idleFds) / held.n).toFixed(1)}`,
  );
  const projected = Math.floor((RSS_BOUND_MB - idle) / Math.max(perSession, 0.01));
  console.log(
    `  capacity on this ${cpus().length}-core machine: ${held.n} parked sessions held with RSS ${held.rss.toFixed(0)} MB ≤ ${RSS_BOUND_MB} MB` +
      ` and GET /v1/tasks/{id} p99 ${held.p99.toFixed(1)} ms ≤ ${P99_BOUND_MS} ms; stopped by ${stopped};` +
      ` by memory alone about ${projected} fit the ${RSS_BOUND_MB} MB bound`,
  );
}

async function parkedCount(api: Api): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const { body }: { body: { tasks: unknown[]; next: string | null } } = await api(
      'GET',
      `/v1/tasks?status=waiting_approval&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    count += body.tasks.length;
    cursor = body.next;
  } while (cursor);
  return count;
}

/** The resident memory of a process and its descendants, in MB. */
async function rssMb(pid: number): Promise<number> {
  let kb = 0;
  const visit = async (p: number): Promise<void> => {
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '');
    kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    for (const thread of await readdir(`/proc/${p}/task`).catch(() => [] as string[])) {
      const children = await readFile(`/proc/${p}/task/${thread}/children`, 'utf8').catch(() => '');
      for (const child of children.split(/\s+/).filter(Boolean)) await visit(Number(child));
    }
  };
  await visit(pid);
  return kb / 1024;
}

async function openFiles(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`).catch(() => [] as string[])).length;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));
