import type { TaskRecord, TaskStatus, TaskStore } from './task-store.ts';

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
