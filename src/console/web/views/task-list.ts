import { TASK_STATUSES, type Task, type TaskStatus } from '../api.ts';
import { h, replace, route } from '../dom.ts';
import {
  basename,
  cost,
  duration,
  firstLine,
  relativeTime,
  shortModel,
  statusBadge,
  tokens,
} from '../format.ts';
import { errorBox, every, pageHeader, startsTasks, type View } from '../view.ts';

const FILTER_LABELS: Record<TaskStatus | 'all', string> = {
  all: 'All',
  queued: 'Queued',
  running: 'Running',
  waiting_approval: 'Needs approval',
  succeeded: 'Succeeded',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Tasks, newest first, refreshed every few seconds; `#/tasks?status=running` filters. */
export const taskListView: View = (ctx) => {
  const wanted = ctx.query.get('status');
  const status = TASK_STATUSES.find((s) => s === wanted);
  const filters = h(
    'div',
    { class: 'filters', role: 'group', 'aria-label': 'Filter by status' },
    ...(['all', ...TASK_STATUSES] as const).map((key) =>
      h(
        'a',
        {
          class: `chip${(status ?? 'all') === key ? ' active' : ''}`,
          href: key === 'all' ? '#/tasks' : `#/tasks?status=${key}`,
          'data-filter': key,
        },
        FILTER_LABELS[key],
      ),
    ),
  );
  const stamp = h('span', { class: 'muted small', 'aria-live': 'off' });
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'grid tasks' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, 'Status'),
        h('th', null, 'Task'),
        h('th', null, 'Repository'),
        h('th', null, 'Model'),
        h('th', null, 'Policy'),
        h('th', null, 'Created'),
        h('th', { class: 'num' }, 'Duration'),
        h('th', { class: 'num' }, 'Tokens'),
        h('th', { class: 'num' }, 'Cost'),
      ),
    ),
    body,
  );
  const problem = h('div');
  const more = h('button', { type: 'button', hidden: true }, 'Older tasks');
  let pages = 1;
  more.addEventListener('click', () => {
    pages += 1;
    void refresh();
  });
  ctx.main.append(
    pageHeader(
      'Tasks',
      startsTasks(ctx.me) ? h('a', { class: 'button primary', href: '#/new' }, 'New task') : null,
    ),
    h('div', { class: 'toolbar' }, filters, stamp),
    problem,
    h('div', { class: 'table-wrap' }, table),
    h('div', { class: 'pager' }, more),
  );

  const refresh = async () => {
    try {
      const tasks: Task[] = [];
      let cursor: string | null = null;
      // The list is re-read whole so that a task that changed status moves where it belongs.
      for (let page = 0; page < pages; page++) {
        const query = new URLSearchParams({ limit: '50' });
        if (status) query.set('status', status);
        if (cursor) query.set('cursor', cursor);
        const answer: { tasks: Task[]; next: string | null } = await ctx.api.get(`/v1/tasks?${query}`);
        tasks.push(...answer.tasks);
        cursor = answer.next;
        if (!cursor) break;
      }
      more.hidden = !cursor;
      problem.replaceChildren();
      replace(body, ...(tasks.length > 0 ? tasks.map(row) : [emptyRow(status)]));
      stamp.textContent = `Updated ${new Date().toLocaleTimeString(undefined, { hour12: false })} · refreshes every 3 s`;
    } catch (error) {
      replace(problem, errorBox(error));
      throw error;
    }
  };
  return every(3000, refresh);
};

function row(task: Task): HTMLTableRowElement {
  const href = route('tasks', task.id);
  return h(
    'tr',
    { 'data-task': task.id },
    h('td', null, statusBadge(task.status)),
    h(
      'td',
      { class: 'task-cell' },
      h('a', { href, class: 'task-link' }, firstLine(task.instruction) || '(no instruction)'),
      h('div', { class: 'mono muted small' }, task.id, task.runs > 1 ? ` · resumed ×${task.runs - 1}` : ''),
    ),
    h('td', { title: task.repository }, basename(task.repository)),
    h('td', { title: task.model, class: 'mono small' }, shortModel(task.model)),
    h('td', null, h('a', { href: route('policies', task.policy) }, task.policy)),
    h('td', { title: task.createdAt }, relativeTime(task.createdAt)),
    h('td', { class: 'num' }, duration(task.durationMs)),
    h('td', { class: 'num' }, tokens(task.tokens)),
    h('td', { class: 'num' }, cost(task.cost)),
  );
}

function emptyRow(status: TaskStatus | undefined): HTMLTableRowElement {
  return h(
    'tr',
    null,
    h(
      'td',
      { colspan: 9, class: 'empty' },
      status ? `No ${FILTER_LABELS[status].toLowerCase()} tasks. ` : 'No tasks yet. ',
      h('a', { href: '#/new' }, 'Start one'),
    ),
  );
}
