import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type pg from 'pg';
import { SSO_SCHEMA } from '../../store/sso-schema.ts';
import type { Role } from '../account-store.ts';

/** A browser's sign-in: who, as what, until when; found by the hash of its cookie's secret. */
export interface SsoSessionRecord {
  hash: string;
  userId: string;
  /** Who the provider says this is (name or email), to show; never used to decide. */
  name: string;
  team: string;
  role: Role;
  /** The provider's refresh and ID tokens, sealed with a key only the cookie holds. */
  sealed: string | undefined;
  expiresAt: string;
  createdAt: string;
}

export type SsoSessionUpdate = Pick<SsoSessionRecord, 'name' | 'team' | 'role' | 'sealed' | 'expiresAt'>;

export interface SsoSessionStore {
  create(record: Omit<SsoSessionRecord, 'createdAt'>): Promise<void>;
  get(hash: string): Promise<SsoSessionRecord | undefined>;
  update(hash: string, fields: SsoSessionUpdate): Promise<void>;
  /** Ends a session; true when there was one. */
  delete(hash: string): Promise<boolean>;
  /** Ends every session of a user (the provider revoked them, or no group of theirs is mapped any more). */
  deleteForUser(userId: string): Promise<number>;
  /** Forgets sessions that expired before `before` and were never renewed. */
  purge(before: string): Promise<number>;
  close(): Promise<void>;
}

type Rows = (text: string, args?: unknown[]) => Promise<Array<Record<string, unknown>>>;

function storeOver(rows: Rows, close: () => Promise<void>): SsoSessionStore {
  return {
    async create(record) {
      await rows(
        `INSERT INTO sso_sessions (hash, user_id, name, team, role, sealed, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          record.hash,
          record.userId,
          record.name,
          record.team,
          record.role,
          record.sealed ?? null,
          record.expiresAt,
          new Date().toISOString(),
        ],
      );
    },
    async get(hash) {
      const [row] = await rows('SELECT * FROM sso_sessions WHERE hash = $1', [hash]);
      return row ? toRecord(row) : undefined;
    },
    async update(hash, fields) {
      await rows(
        'UPDATE sso_sessions SET name = $2, team = $3, role = $4, sealed = $5, expires_at = $6 WHERE hash = $1',
        [hash, fields.name, fields.team, fields.role, fields.sealed ?? null, fields.expiresAt],
      );
    },
    async delete(hash) {
      return (await rows('DELETE FROM sso_sessions WHERE hash = $1 RETURNING hash', [hash])).length > 0;
    },
    async deleteForUser(userId) {
      return (await rows('DELETE FROM sso_sessions WHERE user_id = $1 RETURNING hash', [userId])).length;
    },
    async purge(before) {
      return (await rows('DELETE FROM sso_sessions WHERE expires_at < $1 RETURNING hash', [before])).length;
    },
    close,
  };
}

function toRecord(row: Record<string, unknown>): SsoSessionRecord {
  return {
    hash: String(row.hash),
    userId: String(row.user_id),
    name: String(row.name),
    team: String(row.team),
    role: String(row.role) as Role,
    sealed: typeof row.sealed === 'string' ? row.sealed : undefined,
    expiresAt: String(row.expires_at),
    createdAt: String(row.created_at),
  };
}

export function sqliteSsoSessionStore(file: string): SsoSessionStore {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;');
  db.exec(SSO_SCHEMA);
  // `$n` → `?n`: SQLite numbers its parameters the same way under another sign.
  const rows: Rows = async (text, args = []) =>
    db.prepare(text.replace(/\$(\d+)/g, '?$1')).all(...(args as SQLInputValue[])) as Array<
      Record<string, unknown>
    >;
  return storeOver(rows, async () => db.close());
}

/** On the server's shared database (the table made by its migrations). */
export function pgSsoSessionStore(pool: pg.Pool): SsoSessionStore {
  return storeOver(
    async (text, args = []) => (await pool.query(text, args)).rows,
    async () => undefined,
  );
}
