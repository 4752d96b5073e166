import type { KeyRecord } from './key-store.ts';

/**
 * A row of the `gateway_keys` table as a record, for both stores: node-postgres returns BIGINT and
 * NUMERIC as strings, SQLite as numbers; spends are well inside a double either way.
 */
export function keyFromRow(row: Record<string, unknown>): KeyRecord {
  const optional = (value: unknown) => (value === null || value === undefined ? undefined : Number(value));
  return {
    id: String(row.id),
    hash: String(row.hash),
    owner: String(row.owner),
    team: String(row.team),
    budgetTokens: optional(row.budget_tokens),
    budgetCost: optional(row.budget_cost),
    spent: { tokens: Number(row.spent_tokens), cost: Number(row.spent_cost), calls: Number(row.calls) },
    createdBy: String(row.created_by),
    createdAt: String(row.created_at),
    revokedAt: row.revoked_at === null || row.revoked_at === undefined ? undefined : String(row.revoked_at),
  };
}
