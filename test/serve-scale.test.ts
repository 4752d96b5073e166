import assert from 'node:assert/strict';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { postgresMissing, startTestCluster, type TestCluster } from '../src/store/testing/postgres.ts';
import { warden } from './cli.ts';
import { type Proc, startPgServe, startPgWorker } from './fleet.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

/**
 * 100 scripted tasks submitted at once all finish: on the embedded server (SQLite, in-process queue)
 * and on PostgreSQL with an API-only server and two workers. Each task's events are numbered
 * without a gap and its audit log verifies.
 */

const TASKS = 100;
const SCRIPT = [
  { text: 'writing a note', calls: [{ tool: 'shell', args: { command: 'echo step > note.txt' } }] },
  { text: 'reading it back', calls: [{ tool: 'read_file', args: { path: 'note.txt' } }] },
  { text: 'done' },
];

type Api = ReturnType<typeof client>;

async function world(concurrency: number): Promise<ServerWorld> {
  const w = await serverWorld();
  await writeFile(
    join(w.data, 'server.yaml'),
    [
      `repositories: [${JSON.stringify(w.repos)}]`,
      `models: [${JSON.stringify(`script:${w.scripts}/*`)}]`,
      `policies: { permissive: ${JSON.stringify(join(w.dir, 'permissive.policy.yaml'))} }`,
      `concurrency: ${concurrency}`,
      `team_concurrency: ${TASKS}`,
      'drain_timeout: 5',
    ].join('\n'),
  );
  return w;
}

/** One task per repository runs at a time, so each task gets a repository of its own. */
async function repositories(w: ServerWorld): Promise<string[]> {
  const template = await w.repo('template');
  const repos: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    const repo = join(w.repos, `r${i}`);
    await cp(template, repo, { recursive: true });
    repos.push(repo);
  }
  return repos;
}

async function runAll(w: ServerWorld, api: Api): Promise<string[]> {
  const model = await w.script('scale', SCRIPT);
  const repos = await repositories(w);
  const started = Date.now();
  const created = await Promise.all(
    repos.map((repository) =>
      api('POST', '/v1/tasks', { repository, instruction: 'write a note', model, policy: 'permissive' }),
    ),
  );
  for (const response of created) assert.equal(response.status, 201, JSON.stringify(response.body));
  const ids = created.map((response) => response.body.id as string);

  const statuses = await waitFor(
    `${TASKS} tasks to finish`,
    async () => {
      const page = await api('GET', `/v1/tasks?limit=${TASKS}`);
      const tasks = page.body.tasks as Array<{ id: string; status: string }>;
      return tasks.every((t) => ['succeeded', 'failed', 'cancelled'].includes(t.status)) ? tasks : undefined;
    },
    180_000,
  );
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const failed = statuses.filter((t) => t.status !== 'succeeded');
  assert.deepEqual(failed, [], `every task succeeded (${TASKS} in ${seconds} s)`);
  // Read back in batches: the checks are the point, not a burst of 200 requests.
  for (let i = 0; i < ids.length; i += 20) {
    await Promise.all(
      ids.slice(i, i + 20).map(async (id) => {
        const { body } = await api('GET', `/v1/tasks/${id}/events?format=json&limit=1000`);
        const events = body.events as Array<{ seq: number; type: string }>;
        assert.deepEqual(
          events.map((e) => e.seq),
          events.map((_, n) => n + 1),
          `task ${id}: events numbered without a gap`,
        );
        assert.equal(events.at(-1)?.type, 'session.finished');
        assert.equal(events.filter((e) => e.type === 'tool.finished').length, 2);
        const verify = await api('GET', `/v1/tasks/${id}/audit/verify`);
        assert.equal(verify.body.ok, true, `task ${id}: ${JSON.stringify(verify.body)}`);
      }),
    );
  }
  return ids;
}

describe('100 concurrent tasks on the embedded server (SQLite)', () => {
  let w: ServerWorld;
  let served: Served | undefined;
  before(async () => {
    w = await world(16);
  });
  after(async () => {
    if (served?.child.exitCode === null) served.child.kill('SIGKILL');
    await w?.cleanup();
  });

  test('all finish, each with gap-free events and an audit log that verifies', async () => {
    served = await startServe(w);
    await runAll(w, client(served.url, served.adminToken as string));
    served.child.kill('SIGTERM');
    assert.equal(await served.exited, 0);
  });
});

const missing = postgresMissing();
describe(
  '100 concurrent tasks on PostgreSQL: an API-only server and two workers',
  missing ? { skip: missing } : {},
  () => {
    let w: ServerWorld;
    let cluster: TestCluster | undefined;
    const procs: Array<Proc | Served> = [];
    before(async () => {
      w = await world(8);
      cluster = await startTestCluster();
    });
    after(async () => {
      for (const proc of procs) if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      await Promise.all(procs.map((proc) => proc.exited));
      await cluster?.stop();
      await w?.cleanup();
    });

    test('all finish, each with gap-free events and an audit log that verifies', async () => {
      const url = cluster?.url as string;
      const served = await startPgServe(w, url);
      procs.push(served);
      // The workers start after the server: it made the keys they sign with.
      procs.push(...(await Promise.all([startPgWorker(w, url, 8), startPgWorker(w, url, 8)])));
      const ids = await runAll(w, client(served.url, served.adminToken as string));
      for (const proc of procs) proc.child.kill('SIGTERM');
      assert.deepEqual(await Promise.all(procs.map((proc) => proc.exited)), [0, 0, 0]);

      // An auditor checks the logs where they are, and sees an edit made behind Warden's back.
      const key = join(w.data, 'keys', 'audit-ed25519.pub.pem');
      const verify = () => warden(['audit', 'verify', '--database', url, '--key', key], { cwd: w.dir });
      const intact = await verify();
      assert.equal(intact.code, 0, intact.stdout + intact.stderr);
      assert.equal(intact.stdout.match(/^intact /gm)?.length, TASKS);
      const db = new pg.Client({ connectionString: url });
      await db.connect();
      await db.query(
        `UPDATE audit_records SET line = replace(line, '"tool.finished"', '"tool.finishes"') WHERE session = $1`,
        [ids[7]],
      );
      await db.end();
      const broken = await verify();
      assert.equal(broken.code, 1);
      assert.match(broken.stdout, new RegExp(`BROKEN  ${ids[7]}  line \\d+: hash`));
      assert.equal(broken.stdout.match(/^intact /gm)?.length, TASKS - 1, 'the others are still intact');
    });
  },
);
