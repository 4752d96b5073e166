import type { Redactor } from '../guard/redactor.ts';
import type { TaskStore, TaskUpdate } from './task-store.ts';

/**
 * The task store with every text a person or the model wrote redacted before it is stored: a
 * task's instruction, steering messages, the questions of approvals (a command the model wrote)
 * and a run's error and report. Sessions redact what they store themselves; this covers what
 * arrives through the API or from a run that failed outside the session. A Proxy, like
 * `withKeySpend`, so every other method is the store's own.
 */
export function withRedaction(tasks: TaskStore, redactor: Redactor): TaskStore {
  const redact = (text: string) => redactor.redact(text);
  const cleaned = (update: TaskUpdate | undefined): TaskUpdate | undefined =>
    update && {
      ...update,
      ...(update.error ? { error: redactor.redactValue(update.error) } : {}),
      ...(update.report ? { report: redactor.redactValue(update.report) } : {}),
    };
  const overrides: Partial<TaskStore> = {
    createTask: (task) => tasks.createTask({ ...task, instruction: redact(task.instruction) }),
    updateTask: (id, update) => tasks.updateTask(id, cleaned(update) ?? {}),
    transition: (id, from, to, update, guard) => tasks.transition(id, from, to, cleaned(update), guard),
    createApproval: (approval) =>
      tasks.createApproval({
        ...approval,
        summary: redact(approval.summary),
        reason: redact(approval.reason),
      }),
    addSteering: (message) => tasks.addSteering({ ...message, text: redact(message.text) }),
  };
  return new Proxy(tasks, {
    get(target, property) {
      const own = overrides[property as keyof TaskStore];
      if (own) return own;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
