import { after, before, describe } from 'node:test';
import pg from 'pg';
import { migrate } from '../pg-schema.ts';
import { postgresMissing, startTestCluster, type TestCluster } from './postgres.ts';

/** What a conformance suite opens its implementation on: nothing for SQLite, a fresh database for PostgreSQL. */
export interface Backend {
  kind: 'sqlite' | 'postgres';
  /** A migrated pool on a database of its own, or on `url` (postgres only); closed after the suite. */
  pool(url?: string): Promise<pg.Pool>;
  /** The URL of a fresh migrated database (postgres only). */
  url(): Promise<string>;
}

/**
 * Runs the same test bodies against the SQLite and the PostgreSQL implementation. The PostgreSQL half
 * starts a private cluster, or is skipped, saying why, where PostgreSQL is not installed.
 */
export function onBothBackends(
  suite: string,
  body: (backend: Backend) => void,
  /** What the embedded half is called in the report, when it is not SQLite (audit files). */
  embedded = 'sqlite',
): void {
  describe(`${suite} (${embedded})`, () => {
    body({
      kind: 'sqlite',
      pool: () => Promise.reject(new Error('no pool on sqlite')),
      url: () => Promise.reject(new Error('no url on sqlite')),
    });
  });
  const missing = postgresMissing();
  describe(`${suite} (postgres)`, missing ? { skip: missing } : {}, () => {
    let cluster: TestCluster | undefined;
    const pools: pg.Pool[] = [];
    before(async () => {
      cluster = await startTestCluster();
    });
    after(async () => {
      for (const pool of pools) await pool.end().catch(() => undefined);
      await cluster?.stop();
    });
    const url = async () => {
      if (!cluster) throw new Error('the cluster did not start');
      const url = await cluster.database(suite);
      const pool = new pg.Pool({ connectionString: url, max: 4 });
      await migrate(pool);
      await pool.end();
      return url;
    };
    body({
      kind: 'postgres',
      url,
      async pool(on?: string) {
        const pool = new pg.Pool({ connectionString: on ?? (await url()), max: 8 });
        // The cluster stops under idle connections at the end; that is not a test failure.
        pool.on('error', () => undefined);
        pools.push(pool);
        return pool;
      },
    });
  });
}
