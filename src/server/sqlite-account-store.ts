import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { AccountStore, Role, TeamRecord, TokenRecord, UserRecord } from './account-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS teams (
  id TEXT PRIMARY KEY,
  budget_tokens INTEGER,
  budget_cost REAL,
  concurrency INTEGER,
  repositories TEXT,
  policies TEXT,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  team TEXT NOT NULL REFERENCES teams(id),
  role TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
`;

/** Users, teams and token hashes in SQLite (the same file as the tasks, tables of their own). */
export function openSqliteAccountStore(file: string): AccountStore {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
  db.exec(SCHEMA);
  const now = () => new Date().toISOString();
  const team = (id: string) => {
    const row = db.prepare('SELECT * FROM teams WHERE id = ?').get(id);
    return row ? toTeam(row) : undefined;
  };
  const user = (id: string) => {
    const row = db.prepare('SELECT * FROM users WHERE id = ?').get(id);
    return row ? toUser(row) : undefined;
  };
  const token = (id: string) => {
    const row = db.prepare('SELECT * FROM tokens WHERE id = ?').get(id);
    return row ? toToken(row) : undefined;
  };
  return {
    async createTeam(input) {
      db.prepare(
        'INSERT INTO teams (id, budget_tokens, budget_cost, concurrency, repositories, policies, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(
        input.id,
        input.budgetTokens ?? null,
        input.budgetCost ?? null,
        input.concurrency ?? null,
        input.repositories ? JSON.stringify(input.repositories) : null,
        input.policies ? JSON.stringify(input.policies) : null,
        now(),
      );
      return team(input.id) as TeamRecord;
    },
    getTeam: async (id) => team(id),
    listTeams: async () => db.prepare('SELECT * FROM teams ORDER BY id').all().map(toTeam),
    async createUser(input) {
      db.prepare('INSERT INTO users (id, team, role, created_at) VALUES (?, ?, ?, ?)').run(
        input.id,
        input.team,
        input.role,
        now(),
      );
      return user(input.id) as UserRecord;
    },
    async updateUser(id, fields) {
      db.prepare('UPDATE users SET team = ?, role = ? WHERE id = ?').run(fields.team, fields.role, id);
    },
    getUser: async (id) => user(id),
    listUsers: async () => db.prepare('SELECT * FROM users ORDER BY id').all().map(toUser),
    async countUsers() {
      return Number(db.prepare('SELECT COUNT(*) AS n FROM users').get()?.n ?? 0);
    },
    async createToken(input) {
      db.prepare('INSERT INTO tokens (id, user_id, name, hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
        input.id,
        input.userId,
        input.name,
        input.hash,
        now(),
      );
      return token(input.id) as TokenRecord;
    },
    getToken: async (id) => token(id),
    async revokeToken(id) {
      const result = db
        .prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
        .run(now(), id);
      return Number(result.changes) > 0;
    },
    async close() {
      db.close();
    },
  };
}

type Row = Record<string, SQLInputValue>;

const numberOrUndefined = (value: unknown) => (typeof value === 'number' ? value : undefined);
const listOrUndefined = (value: unknown) =>
  typeof value === 'string' ? (JSON.parse(value) as string[]) : undefined;

function toTeam(row: Row): TeamRecord {
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

function toUser(row: Row): UserRecord {
  return {
    id: String(row.id),
    team: String(row.team),
    role: String(row.role) as Role,
    createdAt: String(row.created_at),
  };
}

function toToken(row: Row): TokenRecord {
  return {
    id: String(row.id),
    userId: String(row.user_id),
    name: String(row.name),
    hash: String(row.hash),
    createdAt: String(row.created_at),
    revokedAt: typeof row.revoked_at === 'string' ? row.revoked_at : undefined,
  };
}
