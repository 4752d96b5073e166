import type { ApprovalAnswer, Approver } from '../policy/approvals.ts';
import type { TaskBus } from './task-bus.ts';
import type { ApprovalRecord, TaskStore } from './task-store.ts';

export interface ApiApproverOptions {
  store: TaskStore;
  bus: TaskBus;
  task: { id: string; team: string };
  /** Cancel or shutdown: a parked question is given up and the session stops. */
  signal: AbortSignal;
  /** The task is parked while a question is open, and running again once it is answered. */
  onWaiting: (waiting: boolean) => Promise<void>;
  /** How often the store is read besides the bus, for answers given through another process. */
  pollMs?: number;
}

/**
 * The approver of a server session: an `ask` becomes a pending approval in the store, the task
 * waits (status waiting_approval) until someone with the right answers it through the API.
 * `by` names whoever gave the last answer, which the gate records in `approval.resolved`.
 */
export function createApiApprover(options: ApiApproverOptions): Approver {
  const { store, bus, task, signal } = options;
  let by = 'api';
  return {
    get by() {
      return by;
    },
    async ask(request): Promise<ApprovalAnswer | 'fail'> {
      if (signal.aborted) return 'fail';
      const approval = await store.createApproval({
        taskId: task.id,
        team: task.team,
        callId: request.callId,
        tool: request.tool,
        summary: request.summary,
        reason: request.reason,
      });
      await options.onWaiting(true);
      const decided = await waitForAnswer(approval.id);
      if (!decided) {
        await store.expireApprovals(task.id);
        by = 'nobody (the task was stopped)';
        return 'fail';
      }
      await options.onWaiting(false);
      by = decided.decidedBy ?? 'api';
      if (decided.status === 'denied') return 'deny';
      return decided.scope === 'session' ? 'session' : 'once';
    },
  };

  function waitForAnswer(id: string): Promise<ApprovalRecord | undefined> {
    return new Promise((resolve) => {
      let settled = false;
      const check = async () => {
        const current = await store.getApproval(id);
        if (current && current.status !== 'pending')
          finish(current.status === 'expired' ? undefined : current);
      };
      const finish = (answer: ApprovalRecord | undefined) => {
        if (settled) return;
        settled = true;
        unsubscribe();
        clearInterval(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(answer);
      };
      const onAbort = () => finish(undefined);
      const unsubscribe = bus.subscribe(task.id, (notice) => {
        if (notice.kind === 'approval' && notice.approvalId === id) void check();
      });
      const timer = setInterval(() => void check(), options.pollMs ?? 2000);
      signal.addEventListener('abort', onAbort, { once: true });
      void check();
    });
  }
}
