import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { isWardenError } from '../src/errors.ts';
import { makeCa } from '../src/server/tls/testing/certificates.ts';
import { openDatabase } from '../src/store/pg-database.ts';
import { postgresMissing, startTestCluster, type TestCluster } from '../src/store/testing/postgres.ts';
import { warden } from './cli.ts';
import { type Proc, startPgServe, startPgWorker } from './fleet.ts';
import { client, type Served, type ServerWorld, serverWorld, waitFor } from './server.ts';

/**
 * PostgreSQL that admits TLS connections only (pg_hba hostssl), with a certificate from a CA of
 * its own: serve and a worker verify it (verify-full) on every connection they make — the pool,
 * the task bus's listener and pg-boss's — and refuse, when told to, a URL that would not verify.
 */

const missing = postgresMissing();
describe('PostgreSQL over TLS, verify-full', missing ? { skip: missing } : {}, () => {
  let world: ServerWorld;
  let cluster: TestCluster;
  let served: Served | undefined;
  let worker: Proc | undefined;
  const REQUIRE = { WARDEN_DATABASE_REQUIRE_TLS: 'verify-full' };

  before(async () => {
    world = await serverWorld();
    cluster = await startTestCluster({ tls: true });
  });
  after(async () => {
    for (const proc of [worker, served]) if (proc && proc.child.exitCode === null) proc.child.kill('SIGTERM');
    const codes = await Promise.all([worker?.exited, served?.exited]);
    await cluster?.stop();
    await world?.cleanup();
    assert.deepEqual(codes, [0, 0], 'both drain and exit 0');
  });

  test('serve and a worker run a task with every connection verified; none of them is plain', async () => {
    assert.match(cluster.url, /sslmode=verify-full&sslrootcert=/);
    served = await startPgServe(world, cluster.url, 0, REQUIRE);
    worker = await startPgWorker(world, cluster.url, 1, REQUIRE);
    const admin = client(served.url, served.adminToken);
    const repository = await world.repo('tls');
    const model = await world.script('tls', [
      { calls: [{ tool: 'shell', args: { command: 'echo over-tls' } }] },
      { text: 'done' },
    ]);
    const { body: task } = await admin('POST', '/v1/tasks', {
      repository,
      instruction: 'x',
      model,
      policy: 'permissive',
    });
    await waitFor(
      'the task to succeed',
      async () => {
        const { body } = await admin('GET', `/v1/tasks/${task.id}`);
        return body.status === 'succeeded';
      },
      60_000,
    );
    const db = new pg.Client({ connectionString: cluster.url });
    await db.connect();
    const { rows } = await db.query<{ application_name: string; ssl: boolean; version: string }>(
      `SELECT a.application_name, s.ssl, s.version FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)
       WHERE a.datname = 'warden' AND a.pid <> pg_backend_pid()`,
    );
    await db.end();
    const names = new Set(rows.map((row) => row.application_name));
    for (const name of ['warden server', 'warden worker', 'warden api queue', 'warden worker queue'])
      assert.ok(names.has(name), `${name} is connected (${[...names].join(', ')})`);
    assert.deepEqual(
      rows.filter((row) => !row.ssl),
      [],
      'every connection is TLS',
    );
  });

  test('with verify-full required, a URL that encrypts without verifying is refused before use, with the fix', async () => {
    const unverified = cluster.url.replace(/\?.*$/, '?sslmode=require');
    const noCa = cluster.url.replace(/&sslrootcert=[^&]*/, '');
    for (const url of [unverified, noCa]) {
      const run = await warden(['worker', '--data', world.data, '--database', url], {
        cwd: world.dir,
        env: REQUIRE,
        timeoutMs: 30_000,
      });
      assert.equal(run.code, 2, run.stderr);
      assert.match(
        run.stderr,
        /would not verify the server's certificate and name: (its sslmode is require|it names no CA)/,
      );
      assert.match(run.stderr, /sslmode=verify-full&sslrootcert=/);
      assert.equal(run.stderr.trim().split('\n').length, 1, 'one line');
    }
    // Without the requirement the same URL is used: encrypted, the server believed.
    const pool = await openDatabase(unverified, { migrate: false });
    await pool.end();
  });

  test('a CA that did not sign the server, or a plain connection, fails with what to fix', async () => {
    const other = makeCa(world.dir, 'other');
    const wrongCa = cluster.url.replace(
      /sslrootcert=[^&]*/,
      `sslrootcert=${encodeURIComponent(other.certFile)}`,
    );
    await assert.rejects(openDatabase(wrongCa, { migrate: false }), (error) => {
      assert.ok(isWardenError(error));
      assert.equal(error.code, 'store.database_tls');
      assert.match(error.describe(), /not signed by the CA in sslrootcert — sslrootcert must be the CA/);
      return true;
    });
    const plain = cluster.url.replace(/\?.*$/, '');
    await assert.rejects(openDatabase(plain, { migrate: false }), (error) => {
      assert.ok(isWardenError(error));
      assert.match(error.describe(), /accepts only TLS connections from here — add \?sslmode=verify-full/);
      return true;
    });
  });
});
