import assert from 'node:assert/strict';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  type AuditRecord,
  createLogDecryptor,
  keyWrapperFromFile,
  MASTER_KEY_FILE,
} from '../src/audit/index.ts';
import { postgresMissing, startTestCluster, type TestCluster } from '../src/store/testing/postgres.ts';
import { type Proc, startPgServe, startPgWorker } from './fleet.ts';
import { client, type Served, type ServerWorld, serverWorld, waitFor } from './server.ts';

/**
 * Workers killed with kill -9 at random points lose nothing. 20 runs, overlapping: each starts
 * tasks, waits until one is running, waits a random while, and kill -9s the worker running it (a
 * fresh worker replaces it). Every task must then finish on another worker, with its events numbered
 * without a gap or a repeat, and an audit log that verifies and holds every event, once, in order.
 *
 * The delays come from a seeded generator; the seed is printed, and WARDEN_CRASH_SEED=<seed>
 * replays the same delays and victims (timing on a busy machine still varies).
 */

const RUNS = 20;
const TASKS_PER_RUN = 2;
const WORKERS = 3;
const SCRIPT = [
  { text: 'first step', calls: [{ tool: 'shell', args: { command: 'sleep 0.5; echo one >> log.txt' } }] },
  { text: 'second step', calls: [{ tool: 'shell', args: { command: 'sleep 0.5; echo two >> log.txt' } }] },
  { text: 'third step', calls: [{ tool: 'shell', args: { command: 'sleep 0.5; echo three >> log.txt' } }] },
  { text: 'reading', calls: [{ tool: 'read_file', args: { path: 'log.txt' } }] },
  { text: 'done' },
];

/** mulberry32: small, seedable, good enough to pick delays. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Event = { seq: number; type: string; report?: { status: string } };

/**
 * The task's events are numbered 1..n without a gap or a repeat and end with session.finished; its
 * audit log verifies and holds every event once, in order (payloads opened with the master key).
 */
async function assertRecordIntact(w: ServerWorld, served: Served, id: string): Promise<Event[]> {
  const api = client(served.url, served.adminToken as string);
  const { body } = await api('GET', `/v1/tasks/${id}/events?format=json&limit=1000`);
  const events = body.events as Event[];
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
    `task ${id}: events numbered without a gap or a repeat`,
  );
  assert.equal(events.at(-1)?.type, 'session.finished');
  const verify = await api('GET', `/v1/tasks/${id}/audit/verify`);
  assert.equal(verify.body.ok, true, `task ${id}: ${JSON.stringify(verify.body)}`);
  const log = await fetch(`${served.url}/v1/tasks/${id}/audit`, {
    headers: { authorization: `Bearer ${served.adminToken}` },
  });
  const records = (await log.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);
  const decryptor = createLogDecryptor(await keyWrapperFromFile(join(w.data, 'keys', MASTER_KEY_FILE)));
  const audited: Array<{ seq: number; type: string }> = [];
  for (const record of records) {
    const data = (await decryptor.open(record)) as { seq?: number };
    if (!record.type.startsWith('audit.')) audited.push({ seq: data.seq as number, type: record.type });
  }
  assert.deepEqual(
    audited,
    events.map((e) => ({ seq: e.seq, type: e.type })),
    `task ${id}: the audit log holds every event once`,
  );
  return events;
}

const missing = postgresMissing();
describe('kill -9 of workers at random points', missing ? { skip: missing } : {}, () => {
  let w: ServerWorld;
  let cluster: TestCluster | undefined;
  let served: Served | undefined;
  const workers: Proc[] = [];
  before(async () => {
    w = await serverWorld();
    await writeFile(
      join(w.data, 'server.yaml'),
      [
        `repositories: [${JSON.stringify(w.repos)}]`,
        `models: [${JSON.stringify(`script:${w.scripts}/*`)}]`,
        `policies: { permissive: ${JSON.stringify(join(w.dir, 'permissive.policy.yaml'))} }`,
        'concurrency: 4',
        'team_concurrency: 100',
        'drain_timeout: 5',
      ].join('\n'),
    );
    cluster = await startTestCluster();
  });
  after(async () => {
    for (const proc of [...workers, ...(served ? [served] : [])]) {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGKILL');
    }
    await Promise.all([...workers, ...(served ? [served] : [])].map((proc) => proc.exited));
    await cluster?.stop();
    await w?.cleanup();
  });

  test(`${RUNS} runs: no task, event or audit record is lost`, async (t) => {
    const seed = Number(process.env.WARDEN_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const next = random(seed);
    t.diagnostic(`seed ${seed} (replay with WARDEN_CRASH_SEED=${seed})`);
    console.log(`worker-crash seed ${seed}`);
    const url = cluster?.url as string;
    served = await startPgServe(w, url);
    const api = client(served.url, served.adminToken as string);
    const alive = () => workers.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    workers.push(...(await Promise.all(Array.from({ length: WORKERS }, () => startPgWorker(w, url, 4)))));

    const model = await w.script('steps', SCRIPT);
    const template = await w.repo('template');
    const ids: string[] = [];
    const victims: string[] = [];
    const kills: string[] = [];
    let replacing: Promise<unknown> = Promise.resolve();

    /** The live worker that last started a run of the task, if any. */
    const runningOn = (id: string): Proc | undefined => {
      let found: { proc: Proc; run: number } | undefined;
      for (const proc of workers) {
        for (const match of proc.output().matchAll(new RegExp(`task ${id}: run (\\d+) started`, 'g'))) {
          const run = Number(match[1]);
          if (!found || run > found.run) found = { proc, run };
        }
      }
      return found?.proc;
    };

    const run = async (n: number) => {
      const mine: string[] = [];
      for (let i = 0; i < TASKS_PER_RUN; i++) {
        const repository = join(w.repos, `run${n}-${i}`);
        await cp(template, repository, { recursive: true });
        const { status, body } = await api('POST', '/v1/tasks', {
          repository,
          instruction: 'take three steps',
          model,
          policy: 'permissive',
        });
        assert.equal(status, 201, JSON.stringify(body));
        mine.push(body.id);
      }
      ids.push(...mine);
      const target = mine[0] as string;
      const owner = await waitFor(
        `task ${target} to start on a worker`,
        async () => runningOn(target),
        30_000,
      );
      const delay = Math.floor(next() * 2000);
      await sleep(delay);
      const holder = runningOn(target);
      const live = alive();
      const victim =
        holder && live.includes(holder) ? holder : (live[Math.floor(next() * live.length)] ?? owner);
      kills.push(`run ${n}: ${delay} ms after ${target} started, killed pid ${victim.child.pid}`);
      victim.child.kill('SIGKILL');
      await victim.exited;
      // Killed while the task still ran (not just after it ended): another worker must take it over.
      if ((await api('GET', `/v1/tasks/${target}`)).body.status !== 'succeeded') victims.push(target);
      replacing = replacing.then(async () => workers.push(await startPgWorker(w, url, 4)));
    };

    // Runs overlap: a new one starts every ~2.5 s while earlier victims' tasks wait to be taken over.
    const runs: Promise<void>[] = [];
    for (let n = 0; n < RUNS; n++) {
      runs.push(run(n));
      await sleep(2000 + Math.floor(next() * 1000));
    }
    await Promise.all(runs);
    await replacing;
    t.diagnostic(kills.join('\n'));

    const finished = await waitFor(
      'every task to finish',
      async () => {
        const tasks = await Promise.all(ids.map(async (id) => (await api('GET', `/v1/tasks/${id}`)).body));
        return tasks.every((task) => ['succeeded', 'failed', 'cancelled'].includes(task.status))
          ? tasks
          : undefined;
      },
      120_000,
    );
    assert.deepEqual(
      finished
        .filter((task) => task.status !== 'succeeded')
        .map((task) => [task.id, task.status, task.error]),
      [],
      'no task lost or failed',
    );
    for (const id of victims) {
      const task = finished.find((x) => x.id === id);
      assert.ok(task.runs >= 2, `task ${id} was taken over after its worker was killed (runs ${task.runs})`);
    }
    const resumed = finished.filter((task) => task.runs >= 2).length;
    t.diagnostic(
      `${ids.length} tasks, ${resumed} resumed on another worker, ${victims.length} killed mid-run`,
    );

    for (const id of ids) await assertRecordIntact(w, served, id);
    const left = [...alive(), served];
    for (const proc of left) proc.child.kill('SIGTERM');
    assert.deepEqual(
      await Promise.all(left.map((proc) => proc.exited)),
      left.map(() => 0),
      'the survivors drain and exit 0',
    );
  });

  test('SIGTERM drains a worker: its task stops at a turn boundary and another worker finishes it', async () => {
    const url = await (cluster as TestCluster).database('drain');
    const server = await startPgServe(w, url);
    const first = await startPgWorker(w, url, 2);
    const procs = [server, first];
    try {
      const api = client(server.url, server.adminToken as string);
      const repository = join(w.repos, 'drained');
      await cp(await w.repo('drain-template'), repository, { recursive: true });
      const model = await w.script('drain', [
        { text: 'a long step', calls: [{ tool: 'shell', args: { command: 'sleep 1.5' } }] },
        { text: 'done' },
      ]);
      const { body } = await api('POST', '/v1/tasks', {
        repository,
        instruction: 'x',
        model,
        policy: 'permissive',
      });
      await waitFor('the long command to start', async () => {
        const events = (await api('GET', `/v1/tasks/${body.id}/events?format=json`)).body.events as Event[];
        return events.some((e) => e.type === 'tool.started');
      });
      first.child.kill('SIGTERM');
      assert.equal(await first.exited, 0, first.output());
      assert.match(first.output(), /draining/);
      assert.equal((await api('GET', `/v1/tasks/${body.id}`)).body.status, 'queued', 'back in the queue');

      procs.push(await startPgWorker(w, url, 2));
      const task = await waitFor('another worker to finish it', async () => {
        const current = (await api('GET', `/v1/tasks/${body.id}`)).body;
        return current.status === 'succeeded' ? current : undefined;
      });
      assert.equal(task.runs, 2);
      const events = await assertRecordIntact(w, server, body.id);
      const firstRun = events.slice(
        0,
        events.findIndex((e, i) => i > 0 && e.type === 'session.started'),
      );
      assert.equal(firstRun.at(-1)?.report?.status, 'cancelled', 'the first run ended at the turn boundary');
      assert.ok(
        firstRun.some((e) => e.type === 'tool.finished'),
        'its command ran to its end first',
      );
    } finally {
      for (const proc of procs) if (proc.child.exitCode === null) proc.child.kill('SIGTERM');
      await Promise.all(procs.map((proc) => proc.exited));
    }
  });
});
