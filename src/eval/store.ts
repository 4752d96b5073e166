import { randomBytes } from 'node:crypto';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type pg from 'pg';
import { EVAL_SCHEMA } from '../store/eval-schema.ts';
import type {
  EvalInstance,
  EvalRunRecord,
  TrialKey,
  TrialRecord,
  TrialResult,
  TrialStatus,
} from './types.ts';

/**
 * Evaluation runs and their trials: one row per run (with the suite's instances, hidden test patches
 * included, so any worker can grade) and one per instance × contestant × repeat. A trial's result is
 * written once and never replaced, so a resumed run never recomputes what it already knows.
 */
export interface EvalStore {
  createRun(run: Omit<EvalRunRecord, 'id' | 'createdAt'>, instances: EvalInstance[]): Promise<EvalRunRecord>;
  getRun(id: string): Promise<EvalRunRecord | undefined>;
  /** A run by id or unique id prefix, as people type them. */
  findRun(idOrPrefix: string): Promise<EvalRunRecord | undefined>;
  /** Newest first; only these teams' runs when `teams` is set. */
  listRuns(filter: { teams?: string[]; limit: number }): Promise<EvalRunRecord[]>;
  instances(runId: string): Promise<EvalInstance[]>;
  /** The instances' ids in the suite's order, without their problems and test patches (what a report needs). */
  instanceIds(runId: string): Promise<string[]>;
  trials(runId: string): Promise<TrialRecord[]>;
  /**
   * Marks a trial running and counts the attempt; undefined when it is already done. A session an
   * earlier attempt began (and never finished: its process died) comes back to be closed.
   */
  startTrial(
    runId: string,
    key: TrialKey,
  ): Promise<{ attempt: number; abandonedSession: string | undefined } | undefined>;
  /** The contestant's session of the running attempt, noted before it starts. */
  noteSession(runId: string, key: TrialKey, sessionId: string): Promise<void>;
  /** Stores a trial's result unless it already has one; true when this call stored it. */
  finishTrial(runId: string, key: TrialKey, result: TrialResult): Promise<boolean>;
  /** Runs with a trial not yet done, oldest first: what a restarted server queues again. */
  unfinishedRuns(): Promise<string[]>;
  /** What a team's evaluations have spent: their graded trials' tokens and cost, for its budget. */
  teamSpend(team: string): Promise<{ tokens: number; cost: number }>;
  /** Trials left running by a process that died go back to queued; returns how many. */
  requeueRunning(runId: string): Promise<number>;
  close(): Promise<void>;
}

/** The statements both databases run, written with PostgreSQL's `$n` parameters. */
interface Sql {
  rows(sql: string, args?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** Runs `work` in one transaction. */
  transaction(work: (sql: Pick<Sql, 'rows'>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

export function newRunId(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return `e${day}-${randomBytes(4).toString('hex')}`;
}

/** Rows per INSERT: SQLite takes at most 32,766 parameters a statement, PostgreSQL 65,535. */
const INSERT_BATCH = 500;

/** The most trials one run may hold: beyond it a run is a mistake (or an attack) more than an experiment. */
export const MAX_TRIALS = 20_000;

const KEY = 'run_id = $1 AND instance_id = $2 AND contestant = $3 AND repeat = $4';
const keyArgs = (runId: string, key: TrialKey) => [runId, key.instanceId, key.contestant, key.repeat];

function toTrial(row: Record<string, unknown>): TrialRecord {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const result = text(row.result);
  return {
    runId: String(row.run_id),
    instanceId: String(row.instance_id),
    contestant: Number(row.contestant),
    repeat: Number(row.repeat),
    status: String(row.status) as TrialStatus,
    attempts: Number(row.attempts),
    result: result === undefined ? undefined : (JSON.parse(result) as TrialResult),
    startedAt: text(row.started_at),
    finishedAt: text(row.finished_at),
  };
}

function evalStoreOver(sql: Sql): EvalStore {
  const now = () => new Date().toISOString();
  // JSON drops an undefined team; the column keeps it.
  const recordOf = (row: Record<string, unknown> | undefined): EvalRunRecord | undefined =>
    row
      ? {
          ...(JSON.parse(String(row.record)) as EvalRunRecord),
          team: typeof row.team === 'string' ? row.team : undefined,
        }
      : undefined;
  return {
    async createRun(run, instances) {
      const record: EvalRunRecord = { ...run, id: newRunId(), createdAt: now() };
      await sql.transaction(async (tx) => {
        await tx.rows(
          'INSERT INTO eval_runs (id, team, created_at, record, instances, instance_ids) VALUES ($1, $2, $3, $4, $5, $6)',
          [
            record.id,
            record.team ?? null,
            record.createdAt,
            JSON.stringify(record),
            JSON.stringify(instances),
            JSON.stringify(instances.map((instance) => instance.id)),
          ],
        );
        const rows = instances.flatMap((instance) =>
          run.contestants.flatMap((_, contestant) =>
            Array.from(
              { length: run.repeats },
              (_unused, repeat) => [instance.id, contestant, repeat] as const,
            ),
          ),
        );
        // Many rows a statement: a suite of thousands of trials is written in moments, not one by one.
        for (let start = 0; start < rows.length; start += INSERT_BATCH) {
          const batch = rows.slice(start, start + INSERT_BATCH);
          const values = batch.map((_, i) => `($1, $${i * 3 + 2}, $${i * 3 + 3}, $${i * 3 + 4}, 'queued')`);
          await tx.rows(
            `INSERT INTO eval_trials (run_id, instance_id, contestant, repeat, status) VALUES ${values.join(', ')}`,
            [record.id, ...batch.flat()],
          );
        }
      });
      return record;
    },
    async getRun(id) {
      return recordOf((await sql.rows('SELECT record, team FROM eval_runs WHERE id = $1', [id]))[0]);
    },
    async findRun(idOrPrefix) {
      const exact = await this.getRun(idOrPrefix);
      if (exact) return exact;
      const escaped = idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
      const rows = await sql.rows(`SELECT record, team FROM eval_runs WHERE id LIKE $1 ESCAPE '\\' LIMIT 2`, [
        `${escaped}%`,
      ]);
      return rows.length === 1 ? recordOf(rows[0]) : undefined;
    },
    async listRuns(filter) {
      if (filter.teams?.length === 0) return [];
      const teams = filter.teams;
      const where = teams ? `WHERE team IN (${teams.map((_, i) => `$${i + 2}`).join(', ')})` : '';
      const rows = await sql.rows(
        `SELECT record, team FROM eval_runs ${where} ORDER BY created_at DESC, id DESC LIMIT $1`,
        [filter.limit, ...(teams ?? [])],
      );
      return rows.map((row) => recordOf(row) as EvalRunRecord);
    },
    async instances(runId) {
      const [row] = await sql.rows('SELECT instances FROM eval_runs WHERE id = $1', [runId]);
      return row ? (JSON.parse(String(row.instances)) as EvalInstance[]) : [];
    },
    async instanceIds(runId) {
      const [row] = await sql.rows('SELECT instance_ids FROM eval_runs WHERE id = $1', [runId]);
      return row ? (JSON.parse(String(row.instance_ids)) as string[]) : [];
    },
    async trials(runId) {
      const rows = await sql.rows(
        'SELECT * FROM eval_trials WHERE run_id = $1 ORDER BY instance_id, contestant, repeat',
        [runId],
      );
      return rows.map(toTrial);
    },
    async startTrial(runId, key) {
      const [row] = await sql.rows(
        `UPDATE eval_trials SET status = 'running', attempts = attempts + 1, started_at = $5
         WHERE ${KEY} AND status <> 'done' RETURNING attempts, session_id`,
        [...keyArgs(runId, key), now()],
      );
      if (!row) return undefined;
      const abandoned = typeof row.session_id === 'string' ? row.session_id : undefined;
      return { attempt: Number(row.attempts), abandonedSession: abandoned };
    },
    async noteSession(runId, key, sessionId) {
      await sql.rows(`UPDATE eval_trials SET session_id = $5 WHERE ${KEY} RETURNING run_id`, [
        ...keyArgs(runId, key),
        sessionId,
      ]);
    },
    async finishTrial(runId, key, result) {
      const rows = await sql.rows(
        `UPDATE eval_trials SET status = 'done', result = $5, finished_at = $6, tokens = $7, cost = $8
         WHERE ${KEY} AND status <> 'done' RETURNING attempts`,
        [
          ...keyArgs(runId, key),
          JSON.stringify(result),
          now(),
          result.inputTokens + result.outputTokens,
          result.cost ?? null,
        ],
      );
      return rows.length === 1;
    },
    async teamSpend(team) {
      const [row] = await sql.rows(
        `SELECT COALESCE(SUM(t.tokens), 0) AS tokens, COALESCE(SUM(t.cost), 0) AS cost
         FROM eval_trials t JOIN eval_runs r ON r.id = t.run_id WHERE r.team = $1`,
        [team],
      );
      return { tokens: Number(row?.tokens ?? 0), cost: Number(row?.cost ?? 0) };
    },
    async unfinishedRuns() {
      const rows = await sql.rows(
        `SELECT run_id, MIN(run_id) FROM eval_trials WHERE status <> 'done' GROUP BY run_id ORDER BY run_id`,
      );
      return rows.map((row) => String(row.run_id));
    },
    async requeueRunning(runId) {
      const rows = await sql.rows(
        `UPDATE eval_trials SET status = 'queued' WHERE run_id = $1 AND status = 'running' RETURNING run_id`,
        [runId],
      );
      return rows.length;
    },
    close: () => sql.close(),
  };
}

/** The local store: one SQLite file (the CLI's, or `warden serve`'s without PostgreSQL). */
export function sqliteEvalStore(file: string): EvalStore {
  const db = new DatabaseSync(file);
  // The timeout first: another process opening the file at the same moment must not fail this one.
  db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL;');
  db.exec(EVAL_SCHEMA);
  // `$n` → `?n`: SQLite numbers its parameters the same way under another sign.
  const rows = async (text: string, args: unknown[] = []) =>
    db.prepare(text.replace(/\$(\d+)/g, '?$1')).all(...(args as SQLInputValue[])) as Array<
      Record<string, unknown>
    >;
  return evalStoreOver({
    rows,
    async transaction(work) {
      db.exec('BEGIN IMMEDIATE');
      try {
        await work({ rows });
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    close: async () => db.close(),
  });
}

/** The shared store of `warden serve` and its workers on PostgreSQL (tables made by its migrations). */
export function pgEvalStore(pool: pg.Pool): EvalStore {
  return evalStoreOver({
    rows: async (text, args = []) => (await pool.query(text, args)).rows,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await work({ rows: async (text, args = []) => (await client.query(text, args)).rows });
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: async () => undefined,
  });
}
