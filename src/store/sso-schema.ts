/**
 * Single sign-on sessions: the same text for SQLite and for PostgreSQL's migration. A row is found
 * by the SHA-256 of the cookie's secret; the provider's tokens in it are sealed with a key derived
 * from that secret, so a copy of the database opens no session and refreshes none.
 */
export const SSO_SCHEMA = `
CREATE TABLE IF NOT EXISTS sso_sessions (
  hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  team TEXT NOT NULL,
  role TEXT NOT NULL,
  sealed TEXT,
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sso_sessions_expiry ON sso_sessions (expires_at);
`;
