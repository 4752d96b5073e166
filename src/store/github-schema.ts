/** The GitHub App's tables: the same text for SQLite and for PostgreSQL's migration. */
export const GITHUB_SCHEMA = `
CREATE TABLE IF NOT EXISTS github_deliveries (
  id TEXT PRIMARY KEY,
  body_sha256 TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS github_tasks (
  task_id TEXT PRIMARY KEY,
  repository TEXT NOT NULL,
  installation_id BIGINT NOT NULL,
  issue_number INTEGER NOT NULL,
  link TEXT NOT NULL,
  pull_number INTEGER,
  check_run_id BIGINT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS github_tasks_issue ON github_tasks (repository, issue_number);
`;
