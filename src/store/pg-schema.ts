import type pg from 'pg';
import { EVAL_SCHEMA } from './eval-schema.ts';
import { GITHUB_SCHEMA } from './github-schema.ts';
import { SSO_SCHEMA } from './sso-schema.ts';

/**
 * Warden's PostgreSQL schema as numbered migrations. Each runs once, in order, in the transaction
 * that records it; a new version is a new entry at the end, never an edit to an applied one. The
 * job queue's tables are pg-boss's own (schema `pgboss`, migrated by pg-boss).
 *
 * Times are ISO strings and documents JSON text, as in the SQLite stores, so that both return
 * byte-identical records.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'tasks, accounts, sessions, events, audit records',
    sql: `
CREATE TABLE tasks (
  n BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  created_by TEXT NOT NULL,
  repository TEXT NOT NULL,
  instruction TEXT NOT NULL,
  model TEXT NOT NULL,
  policy TEXT NOT NULL,
  limits TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  tokens BIGINT NOT NULL DEFAULT 0,
  cost DOUBLE PRECISION,
  runs INTEGER NOT NULL DEFAULT 0,
  report TEXT,
  error TEXT
);
CREATE INDEX tasks_team_status ON tasks (team, status);
CREATE INDEX tasks_status ON tasks (status);
CREATE TABLE approvals (
  n BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  task_id TEXT NOT NULL,
  team TEXT NOT NULL,
  call_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  summary TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL,
  scope TEXT,
  decided_by TEXT,
  created_at TEXT NOT NULL,
  decided_at TEXT
);
CREATE INDEX approvals_status ON approvals (status, team);
CREATE INDEX approvals_task ON approvals (task_id);
CREATE TABLE steering (
  n BIGSERIAL UNIQUE,
  id TEXT PRIMARY KEY,
  task_id TEXT NOT NULL,
  text TEXT NOT NULL,
  sender TEXT NOT NULL,
  created_at TEXT NOT NULL,
  delivered_at TEXT
);
CREATE INDEX steering_task ON steering (task_id, delivered_at);
CREATE TABLE teams (
  id TEXT PRIMARY KEY,
  budget_tokens BIGINT,
  budget_cost DOUBLE PRECISION,
  concurrency INTEGER,
  repositories TEXT,
  policies TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  team TEXT NOT NULL REFERENCES teams(id),
  role TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  task TEXT NOT NULL,
  model TEXT NOT NULL,
  repo TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  checkpoint TEXT,
  report TEXT
);
CREATE TABLE events (
  session TEXT NOT NULL REFERENCES sessions(id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (session, seq)
);
-- One row per line of a session's audit log, exactly as a file log holds it: the key makes a
-- second writer's record at a taken position fail instead of forking the chain.
CREATE TABLE audit_records (
  session TEXT NOT NULL,
  seq BIGINT NOT NULL,
  line TEXT NOT NULL,
  PRIMARY KEY (session, seq)
);
`,
  },
  {
    version: 2,
    name: 'gateway virtual keys',
    sql: `
CREATE TABLE gateway_keys (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  team TEXT NOT NULL,
  budget_tokens BIGINT,
  budget_cost DOUBLE PRECISION,
  spent_tokens BIGINT NOT NULL DEFAULT 0,
  spent_cost DOUBLE PRECISION NOT NULL DEFAULT 0,
  calls BIGINT NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX gateway_keys_team ON gateway_keys (team);
`,
  },
  {
    version: 3,
    name: 'evaluation runs and their trials',
    sql: EVAL_SCHEMA,
  },
  {
    version: 4,
    name: 'github app: deliveries and the tasks they started',
    sql: GITHUB_SCHEMA,
  },
  {
    version: 5,
    name: 'single sign-on sessions',
    sql: SSO_SCHEMA,
  },
];

/** Any number of processes may start at once: an advisory lock lets one migrate while the rest wait. */
const MIGRATION_LOCK = 0x77617264656e; // "warden"

/** Applies the migrations not yet applied; returns the versions it applied. */
export async function migrate(pool: pg.Pool): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS warden_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM warden_migrations');
    const done = new Set(rows.map((row) => row.version));
    const newest = Math.max(0, ...done);
    if (newest > (MIGRATIONS.at(-1)?.version ?? 0)) {
      throw new Error(
        `the database is at schema version ${newest}, newer than this Warden knows (${MIGRATIONS.at(-1)?.version}): upgrade Warden`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO warden_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return applied;
}
