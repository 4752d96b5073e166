import { DatabaseSync } from 'node:sqlite';
import { keyFromRow } from './key-rows.ts';
import type { KeyRecord, KeyStore } from './key-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS gateway_keys (
  id TEXT PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  team TEXT NOT NULL,
  budget_tokens INTEGER,
  budget_cost REAL,
  spent_tokens INTEGER NOT NULL DEFAULT 0,
  spent_cost REAL NOT NULL DEFAULT 0,
  calls INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS gateway_keys_team ON gateway_keys (team);
`;

/** Virtual keys in SQLite (the server's database file, a table of its own). */
export function openSqliteKeyStore(file: string): KeyStore {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000;');
  db.exec(SCHEMA);
  const one = (sql: string, ...args: string[]) => {
    const row = db.prepare(sql).get(...args);
    return row ? keyFromRow(row) : undefined;
  };
  return {
    async createKey(key) {
      db.prepare(
        `INSERT INTO gateway_keys (id, hash, owner, team, budget_tokens, budget_cost, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        key.id,
        key.hash,
        key.owner,
        key.team,
        key.budgetTokens ?? null,
        key.budgetCost ?? null,
        key.createdBy,
        new Date().toISOString(),
      );
      return one('SELECT * FROM gateway_keys WHERE id = ?', key.id) as KeyRecord;
    },
    keyByHash: async (hash) => one('SELECT * FROM gateway_keys WHERE hash = ? AND revoked_at IS NULL', hash),
    getKey: async (id) => one('SELECT * FROM gateway_keys WHERE id = ?', id),
    async listKeys(teams) {
      const where = teams === undefined ? '' : ` AND team IN (${teams.map(() => '?').join(', ') || "''"})`;
      return db
        .prepare(`SELECT * FROM gateway_keys WHERE revoked_at IS NULL${where} ORDER BY created_at, id`)
        .all(...(teams ?? []))
        .map(keyFromRow);
    },
    async revokeKey(id) {
      const result = db
        .prepare('UPDATE gateway_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(new Date().toISOString(), id);
      return Number(result.changes) > 0;
    },
    async addKeySpend(id, spend) {
      db.prepare(
        'UPDATE gateway_keys SET spent_tokens = spent_tokens + ?, spent_cost = spent_cost + ?, calls = calls + 1 WHERE id = ?',
      ).run(spend.tokens, spend.cost, id);
    },
    async teamKeySpend(team) {
      const row = db
        .prepare(
          'SELECT COALESCE(SUM(spent_tokens), 0) AS tokens, COALESCE(SUM(spent_cost), 0) AS cost FROM gateway_keys WHERE team = ?',
        )
        .get(team);
      return { tokens: Number(row?.tokens ?? 0), cost: Number(row?.cost ?? 0) };
    },
    async close() {
      db.close();
    },
  };
}
