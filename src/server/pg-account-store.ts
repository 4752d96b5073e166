import type pg from 'pg';
import type { AccountStore, Role, TeamRecord, TokenRecord, UserRecord } from './account-store.ts';

/** Users, teams and token hashes in PostgreSQL, read by the API servers and the workers alike. */
export function pgAccountStore(pool: pg.Pool): AccountStore {
  const now = () => new Date().toISOString();
  const rows = async (sql: string, args: unknown[] = []) =>
    (await pool.query(sql, args)).rows as Array<Record<string, unknown>>;
  const first = async <T>(sql: string, args: unknown[], map: (row: Record<string, unknown>) => T) => {
    const [row] = await rows(sql, args);
    return row ? map(row) : undefined;
  };
  return {
    async createTeam(input) {
      const [row] = await rows(
        `INSERT INTO teams (id, budget_tokens, budget_cost, concurrency, repositories, policies, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [
          input.id,
          input.budgetTokens ?? null,
          input.budgetCost ?? null,
          input.concurrency ?? null,
          input.repositories ? JSON.stringify(input.repositories) : null,
          input.policies ? JSON.stringify(input.policies) : null,
          now(),
        ],
      );
      return toTeam(row as Record<string, unknown>);
    },
    getTeam: (id) => first('SELECT * FROM teams WHERE id = $1', [id], toTeam),
    listTeams: async () => (await rows('SELECT * FROM teams ORDER BY id')).map(toTeam),
    async createUser(input) {
      const [row] = await rows(
        'INSERT INTO users (id, team, role, created_at) VALUES ($1, $2, $3, $4) RETURNING *',
        [input.id, input.team, input.role, now()],
      );
      return toUser(row as Record<string, unknown>);
    },
    async updateUser(id, fields) {
      await pool.query('UPDATE users SET team = $2, role = $3 WHERE id = $1', [id, fields.team, fields.role]);
    },
    getUser: (id) => first('SELECT * FROM users WHERE id = $1', [id], toUser),
    listUsers: async () => (await rows('SELECT * FROM users ORDER BY id')).map(toUser),
    async countUsers() {
      const [row] = await rows('SELECT COUNT(*) AS n FROM users');
      return Number(row?.n ?? 0);
    },
    async createToken(input) {
      const [row] = await rows(
        'INSERT INTO tokens (id, user_id, name, hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
        [input.id, input.userId, input.name, input.hash, now()],
      );
      return toToken(row as Record<string, unknown>);
    },
    getToken: (id) => first('SELECT * FROM tokens WHERE id = $1', [id], toToken),
    async revokeToken(id) {
      const result = await pool.query(
        'UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
        [now(), id],
      );
      return (result.rowCount ?? 0) > 0;
    },
    // The pool belongs to whoever opened the database.
    async close() {},
  };
}

// BIGINT arrives as a string from node-postgres; budgets are well inside a double.
const numberOrUndefined = (value: unknown) =>
  value === null || value === undefined ? undefined : Number(value);
const listOrUndefined = (value: unknown) =>
  typeof value === 'string' ? (JSON.parse(value) as string[]) : undefined;

function toTeam(row: Record<string, unknown>): TeamRecord {
  return {
    id: String(row.id),
    budgetTokens: numberOrUndefined(row.budget_tokens),
    budgetCost: numberOrUndefined(row.budget_cost),
    concurrency: numberOrUndefined(row.concurrency),
    repositories: listOrUndefined(row.repositories),
    policies: listOrUndefined(row.policies),
    createdAt: String(row.created_at),
  };
}

function toUser(row: Record<string, unknown>): UserRecord {
  return {
    id: String(row.id),
    team: String(row.team),
    role: String(row.role) as Role,
    createdAt: String(row.created_at),
  };
}

function toToken(row: Record<string, unknown>): TokenRecord {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    name: String(row.name),
    hash: String(row.hash),
    createdAt: String(row.created_at),
    revokedAt: typeof row.revoked_at === 'string' ? row.revoked_at : undefined,
  };
}
