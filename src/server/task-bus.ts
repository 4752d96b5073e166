import type { WardenEvent } from '../agent/events.ts';
import type { TaskStatus } from './task-store.ts';

/** What happens to a task, as the parts of the server that did not cause it need to hear. */
export type TaskNotice =
  | { kind: 'event'; event: WardenEvent }
  | { kind: 'status'; status: TaskStatus }
  | { kind: 'cancel' }
  | { kind: 'approval'; approvalId: string }
  | { kind: 'steering' };

/**
 * Notices about tasks between the API and the workers. In one process this is a map of listeners;
 * with PostgreSQL it becomes LISTEN/NOTIFY, which is why a notice carries ids, not objects to share.
 */
export interface TaskBus {
  publish(taskId: string, notice: TaskNotice): void;
  /** Returns the unsubscribe function. */
  subscribe(taskId: string, listener: (notice: TaskNotice) => void): () => void;
}

export function createLocalTaskBus(): TaskBus {
  const listeners = new Map<string, Set<(notice: TaskNotice) => void>>();
  return {
    publish(taskId, notice) {
      for (const listener of listeners.get(taskId) ?? []) {
        try {
          listener(notice);
        } catch {
          // One broken listener (a closed stream) must not keep the notice from the others.
        }
      }
    },
    subscribe(taskId, listener) {
      let set = listeners.get(taskId);
      if (!set) {
        set = new Set();
        listeners.set(taskId, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(taskId);
      };
    },
  };
}
