import type pg from 'pg';
import { keyFromRow } from './key-rows.ts';
import type { KeyRecord, KeyStore } from './key-store.ts';

/** The gateway's virtual keys in PostgreSQL: every API server sees one set, and one spend per key. */
export function pgKeyStore(pool: pg.Pool): KeyStore {
  const one = async (sql: string, args: unknown[]) => {
    const { rows } = await pool.query(sql, args);
    return rows[0] ? keyFromRow(rows[0]) : undefined;
  };
  return {
    async createKey(key) {
      return (await one(
        `INSERT INTO gateway_keys (id, hash, owner, team, budget_tokens, budget_cost, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [
          key.id,
          key.hash,
          key.owner,
          key.team,
          key.budgetTokens ?? null,
          key.budgetCost ?? null,
          key.createdBy,
          new Date().toISOString(),
        ],
      )) as KeyRecord;
    },
    keyByHash: (hash) => one('SELECT * FROM gateway_keys WHERE hash = $1 AND revoked_at IS NULL', [hash]),
    getKey: (id) => one('SELECT * FROM gateway_keys WHERE id = $1', [id]),
    async listKeys(teams) {
      const { rows } =
        teams === undefined
          ? await pool.query('SELECT * FROM gateway_keys WHERE revoked_at IS NULL ORDER BY created_at, id')
          : await pool.query(
              'SELECT * FROM gateway_keys WHERE revoked_at IS NULL AND team = ANY($1::text[]) ORDER BY created_at, id',
              [teams],
            );
      return rows.map(keyFromRow);
    },
    async revokeKey(id) {
      const result = await pool.query(
        'UPDATE gateway_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
        [new Date().toISOString(), id],
      );
      return (result.rowCount ?? 0) > 0;
    },
    async addKeySpend(id, spend) {
      await pool.query(
        'UPDATE gateway_keys SET spent_tokens = spent_tokens + $1, spent_cost = spent_cost + $2, calls = calls + 1 WHERE id = $3',
        [spend.tokens, spend.cost, id],
      );
    },
    async teamKeySpend(team) {
      const { rows } = await pool.query(
        'SELECT COALESCE(SUM(spent_tokens), 0) AS tokens, COALESCE(SUM(spent_cost), 0) AS cost FROM gateway_keys WHERE team = $1',
        [team],
      );
      return { tokens: Number(rows[0]?.tokens ?? 0), cost: Number(rows[0]?.cost ?? 0) };
    },
    // The pool belongs to whoever opened the database.
    async close() {},
  };
}
