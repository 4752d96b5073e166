import { randomBytes } from 'node:crypto';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { assignments, toApproval, toTask } from './sqlite-task-rows.ts';
import type {
  ApprovalRecord,
  NewTask,
  Spend,
  SteeringRecord,
  TaskFilter,
  TaskPage,
  TaskRecord,
  TaskStatus,
  TaskStore,
} from './task-store.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  team TEXT NOT NULL,
  created_by TEXT NOT NULL,
  repository TEXT NOT NULL,
  instruction TEXT NOT NULL,
  model TEXT NOT NULL,
  policy TEXT NOT NULL,
  limits TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  tokens INTEGER NOT NULL DEFAULT 0,
  cost REAL,
  runs INTEGER NOT NULL DEFAULT 0,
  report TEXT,
  error TEXT
);
CREATE INDEX IF NOT EXISTS tasks_team_status ON tasks (team, status);
CREATE INDEX IF NOT EXISTS tasks_status ON tasks (status);
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY,
  task_id TEXT NOT NULL,
  team TEXT NOT NULL,
  call_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  summary TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL,
  scope TEXT,
  decided_by TEXT,
  created_at TEXT NOT NULL,
  decided_at TEXT
);
CREATE INDEX IF NOT EXISTS approvals_status ON approvals (status, team);
CREATE INDEX IF NOT EXISTS approvals_task ON approvals (task_id);
CREATE TABLE IF NOT EXISTS steering (
  id TEXT PRIMARY KEY,
  task_id TEXT NOT NULL,
  text TEXT NOT NULL,
  sender TEXT NOT NULL,
  created_at TEXT NOT NULL,
  delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS steering_task ON steering (task_id, delivered_at);
`;

/** Tasks, approvals and steering messages in one SQLite file (WAL; one writer, many readers). */
export function openSqliteTaskStore(file: string): TaskStore {
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
  db.exec(SCHEMA);
  const now = () => new Date().toISOString();
  const getTask = (id: string) => {
    const row = db.prepare('SELECT rowid AS n, * FROM tasks WHERE id = ?').get(id);
    return row ? toTask(row) : undefined;
  };
  const getApproval = (id: string) => {
    const row = db.prepare('SELECT * FROM approvals WHERE id = ?').get(id);
    return row ? toApproval(row) : undefined;
  };

  return {
    async createTask(task: NewTask) {
      const id = newId('t');
      db.prepare(
        `INSERT INTO tasks (id, team, created_by, repository, instruction, model, policy, limits, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?)`,
      ).run(
        id,
        task.team,
        task.createdBy,
        task.repository,
        task.instruction,
        task.model,
        task.policy,
        JSON.stringify(task.limits),
        now(),
      );
      return getTask(id) as TaskRecord;
    },
    async getTask(id) {
      return getTask(id);
    },
    async listTasks(filter: TaskFilter): Promise<TaskPage> {
      const where: string[] = [];
      const args: SQLInputValue[] = [];
      if (filter.status?.length) {
        where.push(`status IN (${filter.status.map(() => '?').join(', ')})`);
        args.push(...filter.status);
      }
      if (filter.teams) {
        where.push(`team IN (${filter.teams.map(() => '?').join(', ') || "''"})`);
        args.push(...filter.teams);
      }
      const cursor = Number(filter.cursor);
      if (filter.cursor !== undefined && Number.isSafeInteger(cursor)) {
        where.push('rowid < ?');
        args.push(cursor);
      }
      const rows = db
        .prepare(
          `SELECT rowid AS n, * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           ORDER BY rowid DESC LIMIT ?`,
        )
        .all(...args, filter.limit + 1);
      const page = rows.slice(0, filter.limit);
      const last = page.at(-1);
      return {
        tasks: page.map(toTask),
        next: rows.length > filter.limit && last ? String(last.n) : undefined,
      };
    },
    async updateTask(id, update) {
      const { sql, args } = assignments(update);
      if (sql) db.prepare(`UPDATE tasks SET ${sql} WHERE id = ?`).run(...args, id);
    },
    async transition(id, from: TaskStatus[], to, update = {}) {
      const { sql, args } = assignments({ ...update, status: to });
      const result = db
        .prepare(`UPDATE tasks SET ${sql} WHERE id = ? AND status IN (${from.map(() => '?').join(', ')})`)
        .run(...args, id, ...from);
      return Number(result.changes) > 0;
    },
    async addSpend(id, spend: Spend) {
      db.prepare(
        'UPDATE tasks SET tokens = tokens + ?, cost = CASE WHEN ? = 0 THEN cost ELSE COALESCE(cost, 0) + ? END WHERE id = ?',
      ).run(spend.tokens, spend.cost, spend.cost, id);
    },
    async teamSpend(team) {
      const row = db
        .prepare(
          'SELECT COALESCE(SUM(tokens), 0) AS tokens, COALESCE(SUM(cost), 0) AS cost FROM tasks WHERE team = ?',
        )
        .get(team);
      return { tokens: Number(row?.tokens ?? 0), cost: Number(row?.cost ?? 0) };
    },
    async activeCount(team) {
      const row = db
        .prepare(
          "SELECT COUNT(*) AS n FROM tasks WHERE team = ? AND status IN ('running', 'waiting_approval')",
        )
        .get(team);
      return Number(row?.n ?? 0);
    },

    async createApproval(approval) {
      const id = newId('a');
      db.prepare(
        `INSERT INTO approvals (id, task_id, team, call_id, tool, summary, reason, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
      ).run(
        id,
        approval.taskId,
        approval.team,
        approval.callId,
        approval.tool,
        approval.summary,
        approval.reason,
        now(),
      );
      return getApproval(id) as ApprovalRecord;
    },
    async getApproval(id) {
      return getApproval(id);
    },
    async listApprovals(filter) {
      const where: string[] = [];
      const args: SQLInputValue[] = [];
      if (filter.status) {
        where.push('status = ?');
        args.push(filter.status);
      }
      if (filter.taskId) {
        where.push('task_id = ?');
        args.push(filter.taskId);
      }
      if (filter.teams) {
        where.push(`team IN (${filter.teams.map(() => '?').join(', ') || "''"})`);
        args.push(...filter.teams);
      }
      return db
        .prepare(
          `SELECT * FROM approvals ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY rowid LIMIT ?`,
        )
        .all(...args, filter.limit)
        .map(toApproval);
    },
    async decideApproval(id, answer) {
      const result = db
        .prepare(
          "UPDATE approvals SET status = ?, scope = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
        )
        .run(answer.decision === 'allow' ? 'allowed' : 'denied', answer.scope, answer.by, now(), id);
      return Number(result.changes) > 0 ? getApproval(id) : undefined;
    },
    async expireApprovals(taskId) {
      db.prepare(
        "UPDATE approvals SET status = 'expired', decided_at = ? WHERE task_id = ? AND status = 'pending'",
      ).run(now(), taskId);
    },

    async addSteering(message) {
      const record: SteeringRecord = { id: newId('m'), createdAt: now(), ...message };
      db.prepare('INSERT INTO steering (id, task_id, text, sender, created_at) VALUES (?, ?, ?, ?, ?)').run(
        record.id,
        record.taskId,
        record.text,
        record.from,
        record.createdAt,
      );
      return record;
    },
    async takeSteering(taskId) {
      const rows = db
        .prepare('SELECT * FROM steering WHERE task_id = ? AND delivered_at IS NULL ORDER BY rowid')
        .all(taskId);
      if (rows.length === 0) return [];
      db.prepare(`UPDATE steering SET delivered_at = ? WHERE id IN (${rows.map(() => '?').join(', ')})`).run(
        now(),
        ...rows.map((row) => String(row.id)),
      );
      return rows.map((row) => ({
        id: String(row.id),
        taskId: String(row.task_id),
        text: String(row.text),
        from: String(row.sender),
        createdAt: String(row.created_at),
      }));
    },

    async close() {
      db.close();
    },
  };
}

/** Ids people can read and that name audit log files: a letter, the date, random hex. */
export function newId(prefix: string): string {
  const stamp = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return `${prefix}${stamp}-${randomBytes(6).toString('hex')}`;
}
