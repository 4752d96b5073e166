import type { SQLInputValue } from 'node:sqlite';
import type { Report } from '../agent/events.ts';
import type { ApprovalRecord, TaskRecord, TaskStatus, TaskUpdate } from './task-store.ts';

/** Rows of the SQLite task store as records, and record updates as SQL assignments. */

const COLUMNS: Record<keyof TaskUpdate, string> = {
  status: 'status',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  report: 'report',
  error: 'error',
  runs: 'runs',
};

export function assignments(update: TaskUpdate): { sql: string; args: SQLInputValue[] } {
  const sets: string[] = [];
  const args: SQLInputValue[] = [];
  for (const [key, value] of Object.entries(update) as Array<[keyof TaskUpdate, unknown]>) {
    if (value === undefined) continue;
    sets.push(`${COLUMNS[key]} = ?`);
    args.push(typeof value === 'object' ? JSON.stringify(value) : (value as SQLInputValue));
  }
  return { sql: sets.join(', '), args };
}

export type Row = Record<string, SQLInputValue>;

const optional = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function toTask(row: Row): TaskRecord {
  return {
    id: String(row.id),
    team: String(row.team),
    createdBy: String(row.created_by),
    repository: String(row.repository),
    instruction: String(row.instruction),
    model: String(row.model),
    policy: String(row.policy),
    limits: JSON.parse(String(row.limits)),
    status: String(row.status) as TaskStatus,
    createdAt: String(row.created_at),
    startedAt: optional(row.started_at),
    finishedAt: optional(row.finished_at),
    tokens: Number(row.tokens),
    cost: typeof row.cost === 'number' ? row.cost : undefined,
    runs: Number(row.runs),
    report: typeof row.report === 'string' ? (JSON.parse(row.report) as Report) : undefined,
    error: typeof row.error === 'string' ? JSON.parse(row.error) : undefined,
  };
}

export function toApproval(row: Row): ApprovalRecord {
  return {
    id: String(row.id),
    taskId: String(row.task_id),
    team: String(row.team),
    callId: String(row.call_id),
    tool: String(row.tool),
    summary: String(row.summary),
    reason: String(row.reason),
    status: String(row.status) as ApprovalRecord['status'],
    scope: optional(row.scope) as ApprovalRecord['scope'],
    decidedBy: optional(row.decided_by),
    createdAt: String(row.created_at),
    decidedAt: optional(row.decided_at),
  };
}
