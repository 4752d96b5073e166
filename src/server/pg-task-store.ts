import type pg from 'pg';
import { type Row, toApproval, toTask } from './sqlite-task-rows.ts';
import { newId } from './sqlite-task-store.ts';
import type { ApprovalRecord, TaskRecord, TaskStatus, TaskStore, TaskUpdate } from './task-store.ts';

const COLUMNS: Record<keyof TaskUpdate, string> = {
  status: 'status',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  report: 'report',
  error: 'error',
  runs: 'runs',
};

/** `col = $n, …` for the fields set in an update, numbered from `first`. */
function assignments(update: TaskUpdate, first: number): { sql: string; args: unknown[] } {
  const sets: string[] = [];
  const args: unknown[] = [];
  for (const [key, value] of Object.entries(update) as Array<[keyof TaskUpdate, unknown]>) {
    if (value === undefined) continue;
    args.push(typeof value === 'object' ? JSON.stringify(value) : value);
    sets.push(`${COLUMNS[key]} = $${first + args.length - 1}`);
  }
  return { sql: sets.join(', '), args };
}

/**
 * Tasks, approvals and steering messages in PostgreSQL, shared by the API and every worker. Each
 * method is one statement, so the compare-and-set transitions hold across machines as they do in
 * one SQLite file; rows read back through the same mapping as SQLite's.
 */
export function pgTaskStore(pool: pg.Pool): TaskStore {
  const now = () => new Date().toISOString();
  const rows = async (sql: string, args: unknown[] = []) => (await pool.query(sql, args)).rows as Row[];
  const getTask = async (id: string) => {
    const [row] = await rows('SELECT * FROM tasks WHERE id = $1', [id]);
    return row ? toTask(row) : undefined;
  };
  const getApproval = async (id: string) => {
    const [row] = await rows('SELECT * FROM approvals WHERE id = $1', [id]);
    return row ? toApproval(row) : undefined;
  };

  return {
    async createTask(task) {
      const id = newId('t');
      await pool.query(
        `INSERT INTO tasks (id, team, created_by, repository, instruction, model, policy, limits, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9)`,
        [
          id,
          task.team,
          task.createdBy,
          task.repository,
          task.instruction,
          task.model,
          task.policy,
          JSON.stringify(task.limits),
          now(),
        ],
      );
      return (await getTask(id)) as TaskRecord;
    },
    getTask,
    async listTasks(filter) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.status?.length) {
        args.push(filter.status);
        where.push(`status = ANY($${args.length}::text[])`);
      }
      if (filter.teams) {
        args.push(filter.teams);
        where.push(`team = ANY($${args.length}::text[])`);
      }
      if (filter.cursor !== undefined && /^\d{1,18}$/.test(filter.cursor)) {
        args.push(filter.cursor);
        where.push(`n < $${args.length}::bigint`);
      }
      args.push(filter.limit + 1);
      const found = await rows(
        `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n DESC LIMIT $${args.length}`,
        args,
      );
      const page = found.slice(0, filter.limit);
      const last = page.at(-1);
      return {
        tasks: page.map(toTask),
        next: found.length > filter.limit && last ? String(last.n) : undefined,
      };
    },
    async updateTask(id, update) {
      const { sql, args } = assignments(update, 2);
      if (sql) await pool.query(`UPDATE tasks SET ${sql} WHERE id = $1`, [id, ...args]);
    },
    async transition(id, from: TaskStatus[], to, update = {}, guard = {}) {
      const { sql, args } = assignments({ ...update, status: to }, 3);
      const values: unknown[] = [id, from, ...args];
      let where = 'id = $1 AND status = ANY($2::text[])';
      if (guard.runs !== undefined) {
        values.push(guard.runs);
        where += ` AND runs = $${values.length}`;
      }
      if (guard.teamLimit === undefined) {
        const result = await pool.query(`UPDATE tasks SET ${sql} WHERE ${where}`, values);
        return (result.rowCount ?? 0) > 0;
      }
      values.push(guard.teamLimit);
      where += ` AND (SELECT COUNT(*) FROM tasks AS t WHERE t.team = tasks.team
                      AND t.status IN ('running', 'waiting_approval')) < $${values.length}`;
      // Two workers starting tasks of one team at once would each count the other's start as not
      // yet made: a lock per team makes them count one after the other.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(
          "SELECT pg_advisory_xact_lock(hashtext('warden-team:' || team)) FROM tasks WHERE id = $1",
          [id],
        );
        const result = await client.query(`UPDATE tasks SET ${sql} WHERE ${where}`, values);
        await client.query('COMMIT');
        return (result.rowCount ?? 0) > 0;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async addSpend(id, spend) {
      await pool.query(
        `UPDATE tasks SET tokens = tokens + $1,
           cost = CASE WHEN $2::double precision = 0 THEN cost ELSE COALESCE(cost, 0) + $2 END
         WHERE id = $3`,
        [spend.tokens, spend.cost, id],
      );
    },
    async teamSpend(team) {
      const [row] = await rows(
        'SELECT COALESCE(SUM(tokens), 0) AS tokens, COALESCE(SUM(cost), 0) AS cost FROM tasks WHERE team = $1',
        [team],
      );
      return { tokens: Number(row?.tokens ?? 0), cost: Number(row?.cost ?? 0) };
    },
    async activeCount(team) {
      const [row] = await rows(
        "SELECT COUNT(*) AS n FROM tasks WHERE team = $1 AND status IN ('running', 'waiting_approval')",
        [team],
      );
      return Number(row?.n ?? 0);
    },

    async createApproval(approval) {
      const id = newId('a');
      await pool.query(
        `INSERT INTO approvals (id, task_id, team, call_id, tool, summary, reason, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)`,
        [
          id,
          approval.taskId,
          approval.team,
          approval.callId,
          approval.tool,
          approval.summary,
          approval.reason,
          now(),
        ],
      );
      return (await getApproval(id)) as ApprovalRecord;
    },
    getApproval,
    async listApprovals(filter) {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.status) {
        args.push(filter.status);
        where.push(`status = $${args.length}`);
      }
      if (filter.taskId) {
        args.push(filter.taskId);
        where.push(`task_id = $${args.length}`);
      }
      if (filter.teams) {
        args.push(filter.teams);
        where.push(`team = ANY($${args.length}::text[])`);
      }
      args.push(filter.limit);
      return (
        await rows(
          `SELECT * FROM approvals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY n LIMIT $${args.length}`,
          args,
        )
      ).map(toApproval);
    },
    async decideApproval(id, answer) {
      const [row] = await rows(
        `UPDATE approvals SET status = $1, scope = $2, decided_by = $3, decided_at = $4
         WHERE id = $5 AND status = 'pending' RETURNING *`,
        [answer.decision === 'allow' ? 'allowed' : 'denied', answer.scope, answer.by, now(), id],
      );
      return row ? toApproval(row) : undefined;
    },
    async expireApprovals(taskId) {
      await pool.query(
        "UPDATE approvals SET status = 'expired', decided_at = $1 WHERE task_id = $2 AND status = 'pending'",
        [now(), taskId],
      );
    },

    async addSteering(message) {
      const id = newId('m');
      const createdAt = now();
      await pool.query(
        'INSERT INTO steering (id, task_id, text, sender, created_at) VALUES ($1, $2, $3, $4, $5)',
        [id, message.taskId, message.text, message.from, createdAt],
      );
      return { id, createdAt, ...message };
    },
    async takeSteering(taskId) {
      // Marked and read in one statement: two workers (a zombie and its successor) cannot both take one.
      const taken = await rows(
        `UPDATE steering SET delivered_at = $1 WHERE task_id = $2 AND delivered_at IS NULL
         RETURNING n, id, task_id, text, sender, created_at`,
        [now(), taskId],
      );
      return taken
        .sort((a, b) => Number(a.n) - Number(b.n))
        .map((row) => ({
          id: String(row.id),
          taskId: String(row.task_id),
          text: String(row.text),
          from: String(row.sender),
          createdAt: String(row.created_at),
        }));
    },

    // The pool belongs to whoever opened the database.
    async close() {},
  };
}
