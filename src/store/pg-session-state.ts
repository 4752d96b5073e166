import type pg from 'pg';
import type { Report, WardenEvent } from '../agent/events.ts';
import { WardenError } from '../errors.ts';
import type { SessionState } from './session-state.ts';
import type { Checkpoint, SessionRecord, SessionStatus } from './session-store.ts';

/** Sessions, checkpoints and events in PostgreSQL: what lets a task resume on another machine. */
export function pgSessionState(pool: pg.Pool): SessionState {
  const now = () => new Date().toISOString();
  const one = async (sql: string, args: unknown[]) => (await pool.query(sql, args)).rows[0];

  return {
    async get(id) {
      const row = await one('SELECT * FROM sessions WHERE id = $1', [id]);
      return row ? toRecord(row) : undefined;
    },
    async find(idOrPrefix) {
      const exact = await this.get(idOrPrefix);
      if (exact) return exact;
      const { rows } = await pool.query("SELECT * FROM sessions WHERE id LIKE $1 ESCAPE '\\' LIMIT 2", [
        `${idOrPrefix.replace(/[\\%_]/g, '\\$&')}%`,
      ]);
      if (rows.length > 1) {
        throw new WardenError('session.ambiguous', `"${idOrPrefix}" matches more than one session`, {
          hint: 'give more characters of the id',
        });
      }
      return rows[0] ? toRecord(rows[0]) : undefined;
    },
    async create(session) {
      const at = now();
      await pool.query(
        `INSERT INTO sessions (id, task, model, repo, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'running', $5, $5)`,
        [session.id, session.task, session.model, session.repo, at],
      );
    },
    async markRunning(id, model) {
      await pool.query("UPDATE sessions SET status = 'running', model = $1, updated_at = $2 WHERE id = $3", [
        model,
        now(),
        id,
      ]);
    },
    async checkpoint(id, checkpoint) {
      await pool.query('UPDATE sessions SET checkpoint = $1, updated_at = $2 WHERE id = $3', [
        JSON.stringify(checkpoint),
        now(),
        id,
      ]);
    },
    async loadCheckpoint(id) {
      const row = await one('SELECT checkpoint FROM sessions WHERE id = $1', [id]);
      return typeof row?.checkpoint === 'string' ? (JSON.parse(row.checkpoint) as Checkpoint) : undefined;
    },
    async finish(id, report) {
      await pool.query('UPDATE sessions SET status = $1, report = $2, updated_at = $3 WHERE id = $4', [
        report.status,
        JSON.stringify(report),
        now(),
        id,
      ]);
    },
    async appendEvents(events) {
      if (events.length === 0) return;
      // One statement: the batch is stored whole or not at all.
      await pool.query(
        `INSERT INTO events (session, seq, type, body)
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[])`,
        [
          events.map((event) => event.session),
          events.map((event) => event.seq),
          events.map((event) => event.type),
          events.map((event) => JSON.stringify(event)),
        ],
      );
    },
    async lastSeq(id) {
      const row = await one('SELECT MAX(seq) AS seq FROM events WHERE session = $1', [id]);
      return typeof row?.seq === 'number' ? row.seq : 0;
    },
    async eventsAfter(id, afterSeq, limit) {
      const { rows } = await pool.query(
        'SELECT body FROM events WHERE session = $1 AND seq > $2 ORDER BY seq LIMIT $3',
        [id, afterSeq, limit],
      );
      return rows.map((row) => JSON.parse(String(row.body)) as WardenEvent);
    },
    // The pool belongs to whoever opened the database.
    async close() {},
  };
}

function toRecord(row: Record<string, unknown>): SessionRecord {
  return {
    id: String(row.id),
    task: String(row.task),
    model: String(row.model),
    repo: String(row.repo),
    status: String(row.status) as SessionStatus,
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    report: typeof row.report === 'string' ? (JSON.parse(row.report) as Report) : undefined,
  };
}
