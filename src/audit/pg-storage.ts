import type pg from 'pg';
import type { OpenAuditStorage } from './storage.ts';

/**
 * Audit logs as rows of `audit_records (session, seq, line)` in the database the workers share, so
 * that a task resumed on another machine continues its own chain. Each line is the record exactly
 * as a file log holds it: the rows of a session, in order and joined by newlines, are a file that
 * `warden audit verify` checks. A batch is one INSERT, stored whole or not at all, so no write is
 * ever torn. There is no lock to hold: the primary key lets only one writer take each position, so
 * a worker that lost its task (and does not know it yet) fails its next write instead of forking
 * the chain its successor continues.
 */
export function pgAuditStorage(pool: pg.Pool): OpenAuditStorage {
  return async (session) => ({
    where: `audit_records of session ${session}`,
    read: async () => (await readPgAuditLog(pool, session)) ?? Buffer.alloc(0),
    // Rows are whole or absent: there is never a torn tail to cut.
    async truncate() {},
    async append(records) {
      await pool.query(
        'INSERT INTO audit_records (session, seq, line) SELECT $1, * FROM unnest($2::bigint[], $3::text[])',
        [session, records.map((r) => r.seq), records.map((r) => r.line)],
      );
    },
    // A committed INSERT is as durable as the database is configured to make it.
    async sync() {},
    async close() {},
  });
}

/** A session's log as the bytes of its file form, or undefined when it has none. */
export async function readPgAuditLog(pool: pg.Pool, session: string): Promise<Buffer | undefined> {
  const { rows } = await pool.query<{ line: string }>(
    'SELECT line FROM audit_records WHERE session = $1 ORDER BY seq',
    [session],
  );
  return rows.length === 0 ? undefined : Buffer.from(rows.map((row) => `${row.line}\n`).join(''));
}

/** Every session with records in the database, oldest id first. */
export async function listPgAuditSessions(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ session: string }>(
    'SELECT DISTINCT session FROM audit_records ORDER BY session',
  );
  return rows.map((row) => row.session);
}
