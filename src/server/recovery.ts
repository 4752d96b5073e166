import type { TaskQueue } from './task-queue.ts';
import type { TaskRecord, TaskStatus, TaskStore } from './task-store.ts';
import { taskJob } from './task-workspace.ts';

/**
 * After a start, every task the last process left running was cut off (a crash, kill -9, a lost
 * machine): it goes back to the queue, and its run resumes from the session's last checkpoint.
 * Questions it had open can no longer be answered; they expire and the resumed run asks again.
 * Returns everything queued, oldest first, for the queue to take up.
 */
export async function recoverTasks(tasks: TaskStore): Promise<TaskRecord[]> {
  for (const task of await all(tasks, ['running', 'waiting_approval'])) {
    await tasks.transition(task.id, ['running', 'waiting_approval'], 'queued');
    await tasks.expireApprovals(task.id);
  }
  return (await all(tasks, ['queued'])).reverse();
}

async function all(tasks: TaskStore, status: TaskStatus[]): Promise<TaskRecord[]> {
  const found: TaskRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await tasks.listTasks({ status, limit: 500, ...(cursor ? { cursor } : {}) });
    found.push(...page.tasks);
    cursor = page.next;
  } while (cursor);
  return found;
}

/**
 * With a queue shared by many workers, a task marked running is some worker's, and the queue hands
 * it to another if that worker dies: nothing to take back here. A queued task the queue does not
 * hold (its server died between storing it and queuing it) is queued again; one it holds is not
 * queued twice, since a job's name comes from the task and its run.
 */
export async function requeueWaiting(tasks: TaskStore, queue: TaskQueue): Promise<number> {
  const waiting = (await all(tasks, ['queued'])).reverse();
  for (const task of waiting) {
    await queue.enqueue({ ...taskJob(task), runs: task.runs });
  }
  return waiting.length;
}
