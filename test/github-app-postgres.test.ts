/**
 * The GitHub App on PostgreSQL: the API server takes the webhook and queues the task; a `warden
 * worker` (another process, sharing only the database, the keys and server.yaml) clones with its
 * own installation token, runs the session, and publishes the branch, pull request and receipt.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { postgresMissing, startTestCluster, type TestCluster } from '../src/store/testing/postgres.ts';
import { warden } from './cli.ts';
import { type Proc, startPgServe, startPgWorker } from './fleet.ts';
import { APP_REPO, FIX_SUM, type GitHubWorld, gitHubWorld, receiptIn } from './github/app-world.ts';
import { client, type Served, waitFor } from './server.ts';

const missing = postgresMissing();

describe(
  'the GitHub App with an API server and a worker on PostgreSQL',
  missing ? { skip: missing } : {},
  () => {
    let app: GitHubWorld;
    let cluster: TestCluster | undefined;
    let served: Served;
    let worker: Proc;

    before(async () => {
      app = await gitHubWorld();
      await app.useScript(FIX_SUM);
      cluster = await startTestCluster();
      served = await startPgServe(app.world, cluster.url, 0, app.env);
      worker = await startPgWorker(app.world, cluster.url, 1);
    });
    after(async () => {
      for (const proc of [worker, served])
        if (proc && proc.child.exitCode === null) proc.child.kill('SIGTERM');
      const codes = await Promise.all([worker?.exited, served?.exited]);
      await cluster?.stop();
      await app?.close();
      assert.deepEqual(codes, [0, 0], 'both drain and exit 0');
    });

    test('an issue labelled on GitHub is worked by the worker, whose pull request carries a receipt that verifies', async () => {
      const { fake, world } = app;
      const payload = fake.issueLabeled({
        repo: APP_REPO,
        issue: { title: 'sum() is wrong', body: 'sum(2, 2) returns 0.', user: 'alice' },
        label: 'warden',
        sender: 'alice',
      });
      const delivery = await fake.deliver(`${served.url}/github/webhook`, 'issues', payload);
      assert.equal(delivery.status, 202, delivery.responseBody);
      const { taskId } = JSON.parse(delivery.responseBody);
      const admin = client(served.url, served.adminToken);
      const task = await waitFor(
        'the task to finish',
        async () => {
          const { body } = await admin('GET', `/v1/tasks/${taskId}`);
          return ['succeeded', 'failed'].includes(body.status) ? body : undefined;
        },
        120_000,
      );
      assert.equal(task.status, 'succeeded', JSON.stringify(task.error));
      assert.match(worker.output(), new RegExp(`task ${taskId}: run 1 started`), 'the worker ran it');
      assert.match(
        worker.output(),
        /github: task .*: pushed [0-9a-f]{12} to warden\/issue-/,
        'and published it',
      );
      const pull = await waitFor('the pull request', async () => fake.pulls.find((p) => p.repo === APP_REPO));
      const dir = await mkdtemp(join(tmpdir(), 'github-pg-receipt-'));
      try {
        const receipt = join(dir, 'receipt.json');
        await writeFile(receipt, JSON.stringify(receiptIn(pull.body ?? '')));
        const log = await fetch(`${served.url}/v1/tasks/${taskId}/audit`, {
          headers: { authorization: `Bearer ${served.adminToken}` },
        });
        await writeFile(join(dir, 'audit.jsonl'), Buffer.from(await log.arrayBuffer()));
        const verified = await warden(
          [
            'receipt',
            'verify',
            receipt,
            '--audit',
            join(dir, 'audit.jsonl'),
            '--key',
            join(world.data, 'keys', 'audit-ed25519.pub.pem'),
          ],
          { cwd: dir },
        );
        assert.equal(verified.code, 0, verified.stdout + verified.stderr);
        assert.match(verified.stdout, /audit-contains/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  },
);
