import type { ApprovalRecord, TaskRecord } from './task-store.ts';

/** A task as the API shows it: absent values as null, and how long it ran. */
export function taskView(task: TaskRecord, now = Date.now()) {
  const started = task.startedAt ? Date.parse(task.startedAt) : undefined;
  const ended = task.finishedAt ? Date.parse(task.finishedAt) : undefined;
  return {
    id: task.id,
    status: task.status,
    team: task.team,
    createdBy: task.createdBy,
    repository: task.repository,
    instruction: task.instruction,
    model: task.model,
    policy: task.policy,
    limits: task.limits,
    createdAt: task.createdAt,
    startedAt: task.startedAt ?? null,
    finishedAt: task.finishedAt ?? null,
    durationMs: started === undefined ? null : (ended ?? now) - started,
    tokens: task.tokens,
    cost: task.cost ?? null,
    runs: task.runs,
    error: task.error ?? null,
    report: task.report ?? null,
  };
}

export function approvalView(approval: ApprovalRecord) {
  return {
    ...approval,
    scope: approval.scope ?? null,
    decidedBy: approval.decidedBy ?? null,
    decidedAt: approval.decidedAt ?? null,
  };
}
