import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sqliteEvalStore } from '../src/eval/store.ts';
import { loadSuite } from '../src/eval/suite.ts';
import type { EvalSummary } from '../src/eval/summary.ts';
import type { EvalInstance, TrialRecord } from '../src/eval/types.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

/**
 * Evaluations on `warden serve` (SQLite, its own queue): created through the API with what starting
 * a task asks, refused with the field to fix, read only by their team, and resumed after the server
 * is killed — trials done before the kill kept as they were.
 */

const ROOT = resolve(import.meta.dirname, '..');

describe('evaluations on warden serve', { timeout: 300_000 }, () => {
  let world: ServerWorld;
  let served: Served;
  let admin: ReturnType<typeof client>;
  let instances: EvalInstance[];
  let solver: string;
  let adminToken: string;

  before(async () => {
    world = await serverWorld();
    await cp(join(ROOT, 'evals/offline'), join(world.repos, 'offline'), { recursive: true });
    await cp(join(ROOT, 'evals/offline/contestants/solver'), join(world.scripts, 'solver'), {
      recursive: true,
    });
    await writeFile(join(world.data, 'server.yaml'), await serverYaml(world));
    solver = `script:${join(world.scripts, 'solver')}`;
    instances = loadSuite(join(world.repos, 'offline/suite.jsonl')).instances;
    served = await startServe(world);
    adminToken = served.adminToken as string;
    admin = client(served.url, adminToken);
  });
  after(async () => {
    if (served.child.exitCode === null) served.child.kill('SIGTERM');
    await served.exited;
    await world.cleanup();
  });

  const body = (overrides: Record<string, unknown> = {}) => ({
    suite: { name: 'offline', digest: 'a'.repeat(64), instances: instances.slice(0, 2) },
    contestants: [{ agent: 'warden', model: solver }],
    ...overrides,
  });

  test('bad requests are refused with the field to fix', async () => {
    // A directory shaped like a bare repository whose alternates point elsewhere is no plain directory.
    const bareShaped = join(world.repos, 'bare-shaped');
    await mkdir(join(bareShaped, 'objects', 'info'), { recursive: true });
    await writeFile(join(bareShaped, 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(join(bareShaped, 'objects', 'info', 'alternates'), '/elsewhere/objects\n');
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [body({ contestants: [{ agent: 'codex', model: solver }] }), 400, /contestants\[0\]\.agent/],
      [body({ contestants: [{ agent: 'warden', model: 'openai:gpt-5.5' }] }), 400, /contestants\[0\]\.model/],
      [body({ policy: 'nosuch' }), 400, /^policy/],
      [
        body({
          suite: { name: 'x', digest: 'a'.repeat(64), instances: [{ ...instances[0], repository: '/etc' }] },
        }),
        400,
        /suite\.instances\[0\]\.repository/,
      ],
      [
        body({ suite: { name: 'x', digest: 'a'.repeat(64), instances: [instances[0], instances[0]] } }),
        400,
        /suite\.instances\[1\]\.id/,
      ],
      [
        body({
          suite: {
            name: 'x',
            digest: 'a'.repeat(64),
            instances: [{ ...instances[0], repository: bareShaped }],
          },
        }),
        400,
        /suite\.instances\[0\]\.repository.*not the top level of a git work tree/,
      ],
      [body({ suite: { name: 'x', digest: 'a'.repeat(64), instances: [] } }), 400, /instances/],
      // Within the schema's limits (5,000 instances, 16 contestants, 100 repeats), but not one run's.
      [
        body({
          suite: { name: 'x', digest: 'a'.repeat(64), instances },
          contestants: Array.from({ length: 16 }, (_, i) => ({
            agent: 'warden',
            model: `${solver}${'/'.repeat(i + 1)}`,
          })),
          repeats: 100,
        }),
        400,
        /suite\.instances.*22400 trials, more than one run may hold/,
      ],
    ];
    for (const [request, status, field] of cases) {
      const answer = await admin('POST', '/v1/evals', request);
      assert.equal(answer.status, status, JSON.stringify(answer.body));
      assert.match(`${answer.body.error.field ?? ''} ${answer.body.error.message}`, field);
    }
  });

  test("another team's evaluation is not there", async () => {
    const { body: created } = await admin('POST', '/v1/evals', body());
    await admin('POST', '/v1/teams', { id: 'blue' });
    await admin('POST', '/v1/users', { id: 'bo', team: 'blue', role: 'operator' });
    const blue = client(served.url, (await admin('POST', '/v1/tokens', { user: 'bo' })).body.token);
    assert.equal((await blue('GET', `/v1/evals/${created.run.id}`)).status, 404);
    assert.equal((await blue('GET', `/v1/evals/${created.run.id}/report.html`)).status, 404);
    assert.deepEqual((await blue('GET', '/v1/evals')).body.evals, []);
  });

  test("a team's budget holds for evaluations: trials past it are not run, and they spend it for tasks too", async () => {
    await admin('POST', '/v1/teams', { id: 'lean', budget: { tokens: 1 } });
    await admin('POST', '/v1/users', { id: 'lu', team: 'lean', role: 'operator' });
    const lean = client(served.url, (await admin('POST', '/v1/tokens', { user: 'lu' })).body.token);
    const created = await lean(
      'POST',
      '/v1/evals',
      body({ suite: { name: 'x', digest: 'a'.repeat(64), instances: instances.slice(0, 4) } }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.run.id as string;
    const done = await waitFor(
      'the run to end',
      async () => {
        const { body: got } = await lean('GET', `/v1/evals/${id}`);
        return got.progress.done === got.progress.total ? (got as { summary: EvalSummary }) : undefined;
      },
      120_000,
    );
    const [contestant] = done.summary.contestants;
    // The first trials (as many as run at once) start under the budget and spend past it; the rest do not run.
    assert.ok((contestant?.outcomes.resolved ?? 0) >= 1);
    assert.ok((contestant?.outcomes.error ?? 0) >= 1, JSON.stringify(contestant?.outcomes));
    const trials = await storedTrials(world, id);
    const refused = trials.filter((t) => t.result?.outcome === 'error');
    assert.ok(
      refused.every((t) =>
        /not run: team "lean" has spent its budget of 1 tokens/.test(t.result?.error ?? ''),
      ),
    );
    assert.ok(refused.every((t) => t.result?.inputTokens === 0 && t.result.sessionId === undefined));
    // Spent through an evaluation, the budget refuses the team's next task and evaluation alike.
    const repo = await world.repo('lean-task');
    const task = await lean('POST', '/v1/tasks', {
      repository: repo,
      instruction: 'x',
      model: solver.replace(/solver$/, 'solver/calendar-js-1.json'),
    });
    assert.equal(task.status, 409, JSON.stringify(task.body));
    assert.equal((await lean('POST', '/v1/evals', body())).body.error.code, 'budget.exhausted');
  });

  test('a run survives kill -9 of the server: done trials kept, the rest finished after the restart', async () => {
    const { status, body: created } = await admin(
      'POST',
      '/v1/evals',
      body({ suite: { name: 'offline', digest: 'a'.repeat(64), instances } }),
    );
    assert.equal(status, 201, JSON.stringify(created));
    const id = created.run.id as string;
    const trials = async () =>
      (await admin('GET', `/v1/evals/${id}`)).body as {
        progress: { done: number; total: number };
        summary: EvalSummary;
      };
    await waitFor(
      'three trials done',
      async () => ((await trials()).progress.done >= 3 ? true : undefined),
      120_000,
    );
    served.child.kill('SIGKILL');
    await served.exited;
    const before_ = await storedTrials(world, id);
    served = await startServe(world);
    // The first start's admin token still holds: the restart keeps the accounts.
    admin = client(served.url, adminToken);
    const done = await waitFor(
      'every trial done',
      async () => {
        const t = await trials();
        return t.progress.done === t.progress.total ? t : undefined;
      },
      240_000,
    );
    assert.equal(done.progress.total, 14);
    const now = await storedTrials(world, id);
    const finished = before_.filter((t) => t.status === 'done');
    assert.ok(finished.length >= 3);
    for (const trial of finished) {
      assert.deepEqual(
        now.find((t) => t.instanceId === trial.instanceId),
        trial,
        `${trial.instanceId} was not run again`,
      );
    }
    for (const trial of before_.filter((t) => t.status === 'running')) {
      assert.equal(now.find((t) => t.instanceId === trial.instanceId)?.attempts, trial.attempts + 1);
    }
    assert.deepEqual(done.summary.contestants[0]?.outcomes, {
      resolved: 14,
      unresolved: 0,
      broken: 0,
      error: 0,
    });
    const report = await fetch(`${served.url}/v1/evals/${id}/report.html`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(report.status, 200);
    assert.match(report.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.match(await report.text(), /leaderboard-pl-1/);
  });
});

/** The trials as the server stored them, read from its database beside it. */
async function storedTrials(world: ServerWorld, runId: string): Promise<TrialRecord[]> {
  const store = sqliteEvalStore(join(world.data, 'server.db'));
  try {
    return await store.trials(runId);
  } finally {
    await store.close();
  }
}

async function serverYaml(world: ServerWorld): Promise<string> {
  return [
    `repositories: [${JSON.stringify(world.repos)}]`,
    `models: [${JSON.stringify(`script:${world.scripts}/*`)}]`,
    'concurrency: 2',
    'drain_timeout: 5',
  ].join('\n');
}
