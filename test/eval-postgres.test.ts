import assert from 'node:assert/strict';
import { appendFile, cp, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EvalSummary } from '../src/eval/summary.ts';
import { postgresMissing, startTestCluster, type TestCluster } from '../src/store/testing/postgres.ts';
import { warden } from './cli.ts';
import { FAST_QUEUE, type Proc, startPgServe, startPgWorker } from './fleet.ts';
import { client, type Served, type ServerWorld, serverWorld } from './server.ts';

/**
 * `warden eval run --server` on an API-only server and two workers sharing PostgreSQL: the trials
 * are jobs on the server's queue, spread over both workers, graded there, and the report the CLI
 * prints is the one the server computes from the shared store.
 */

const ROOT = resolve(import.meta.dirname, '..');
const missing = postgresMissing();
const INSTANCES = 8;

describe('an evaluation spread over two workers on PostgreSQL', missing ? { skip: missing } : {}, () => {
  let world: ServerWorld;
  let cluster: TestCluster | undefined;
  let served: Served;
  const workers: Proc[] = [];

  before(async () => {
    world = await serverWorld();
    // The suite as a team would keep it: its projects under one of the server's roots, its
    // scripted contestants among the models the server offers.
    await cp(join(ROOT, 'evals/offline'), join(world.repos, 'offline'), { recursive: true });
    // Eight instances (16 trials) are enough to spread over two workers of two slots each.
    const suite = join(world.repos, 'offline/suite.jsonl');
    const lines = (await readFile(suite, 'utf8')).trim().split('\n');
    await writeFile(suite, `${lines.slice(0, INSTANCES).join('\n')}\n`);
    for (const name of ['solver', 'half']) {
      await cp(join(ROOT, 'evals/offline/contestants', name), join(world.scripts, name), { recursive: true });
    }
    // A team may run as many trials at once as both workers hold (the default would be fewer).
    await appendFile(join(world.data, 'server.yaml'), '\nteam_concurrency: 8\n');
    cluster = await startTestCluster();
    served = await startPgServe(world, cluster.url);
    workers.push(
      ...(await Promise.all([startPgWorker(world, cluster.url, 2), startPgWorker(world, cluster.url, 2)])),
    );
  });
  after(async () => {
    for (const proc of [...workers, served])
      if (proc && proc.child.exitCode === null) proc.child.kill('SIGTERM');
    const codes = await Promise.all([...workers, served].map((proc) => proc?.exited));
    await cluster?.stop();
    await world?.cleanup();
    assert.deepEqual(codes, [0, 0, 0], 'all drain and exit 0');
  });

  test('every trial runs once, on one of the workers, and grades as expected', {
    timeout: 300_000,
  }, async () => {
    const env = { WARDEN_TOKEN: served.adminToken as string, ...FAST_QUEUE };
    const models = ['solver', 'half'].map((name) => `script:${join(world.scripts, name)}`).join(',');
    const run = await warden(
      ['eval', 'run', join(world.repos, 'offline/suite.jsonl'), '--models', models, '--server', served.url],
      { cwd: world.dir, env, timeoutMs: 280_000 },
    );
    assert.equal(run.code, 0, `${run.stderr}\n${workers.map((w) => w.output()).join('\n')}`);
    const id = /evaluation (e[\w-]+)/.exec(run.stderr)?.[1] as string;
    assert.match(run.stdout, /A\s+8\/8\s+8\s+100\.0%/);

    const { body } = await client(served.url, served.adminToken as string)('GET', `/v1/evals/${id}`);
    const summary = body.summary as EvalSummary;
    const expected = JSON.parse(await readFile(join(ROOT, 'evals/offline/expected.json'), 'utf8')) as Record<
      string,
      Record<string, string>
    >;
    for (const instance of summary.instances) {
      assert.deepEqual(
        instance.outcomes,
        [[expected.solver?.[instance.id]], [expected.half?.[instance.id]]],
        instance.id,
      );
    }
    // Spread: each worker started trials, and no trial started twice.
    const started = workers.map((w) => w.output().match(new RegExp(`trial ${id}/\\S+: started`, 'g')) ?? []);
    assert.ok(
      started.every((lines) => lines.length > 0),
      `both workers ran trials: ${started.map((l) => l.length)}`,
    );
    const all = started.flat();
    assert.equal(all.length, INSTANCES * 2);
    assert.equal(new Set(all).size, INSTANCES * 2);
    assert.doesNotMatch(served.output() + workers.map((w) => w.output()).join(''), /internal error/);
  });
});
