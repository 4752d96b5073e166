import type { Report } from '../agent/events.ts';
import type { TaskStatus } from './task-store.ts';

/** Why the server interrupted a run, when it did: the person's cancel, or its own shutdown. */
export type Interruption = 'cancel' | 'drain' | undefined;

export interface Outcome {
  status: TaskStatus;
  error: { code: string; message: string } | undefined;
}

/**
 * A run's report as the task's status. A cancel is a cancel whatever the session made of it (it
 * may have been waiting for an approval); a shutdown puts the task back in the queue, to resume
 * from its checkpoint when the server starts again.
 */
export function outcomeOf(report: Report, interruption: Interruption): Outcome {
  if (interruption === 'cancel') return { status: 'cancelled', error: undefined };
  if (interruption === 'drain') return { status: 'queued', error: undefined };
  switch (report.status) {
    case 'finished':
      return { status: 'succeeded', error: undefined };
    case 'cancelled':
      return { status: 'cancelled', error: undefined };
    case 'limit':
      return { status: 'failed', error: report.error ?? { code: 'limit.reached', message: report.reason } };
    case 'failed':
      return { status: 'failed', error: report.error ?? { code: 'task.failed', message: report.reason } };
  }
}
