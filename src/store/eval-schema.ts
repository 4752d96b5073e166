/** `warden eval`'s tables: the same text for SQLite and for PostgreSQL's migration. */
export const EVAL_SCHEMA = `
CREATE TABLE IF NOT EXISTS eval_runs (
  id TEXT PRIMARY KEY,
  team TEXT,
  created_at TEXT NOT NULL,
  record TEXT NOT NULL,
  instances TEXT NOT NULL,
  instance_ids TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS eval_runs_created ON eval_runs (created_at);
CREATE TABLE IF NOT EXISTS eval_trials (
  run_id TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  contestant INTEGER NOT NULL,
  repeat INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  session_id TEXT,
  result TEXT,
  tokens BIGINT NOT NULL DEFAULT 0,
  cost DOUBLE PRECISION,
  started_at TEXT,
  finished_at TEXT,
  PRIMARY KEY (run_id, instance_id, contestant, repeat)
);
`;
