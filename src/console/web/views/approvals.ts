import type { Approval } from '../api.ts';
import { h, replace, route } from '../dom.ts';
import { relativeTime } from '../format.ts';
import { errorBox, every, pageHeader, type View } from '../view.ts';
import { approvalCard } from './approval-card.ts';

/** Every open question of every task the person may see, and the latest answers. */
export const approvalsView: View = (ctx) => {
  const open = h('div', { class: 'approvals' });
  const recent = h('tbody');
  const problem = h('div');
  const shown = new Map<string, HTMLElement>();
  ctx.main.append(
    pageHeader('Approvals'),
    problem,
    h('h2', null, 'Waiting'),
    open,
    h('h2', null, 'Answered'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'grid' },
        h(
          'thead',
          null,
          h('tr', null, ...['Decision', 'Task', 'Tool', 'Call', 'By', 'When'].map((t) => h('th', null, t))),
        ),
        recent,
      ),
    ),
  );

  const refresh = async () => {
    try {
      const [pending, allowed, denied] = await Promise.all(
        ['pending', 'allowed', 'denied'].map((status) =>
          ctx.api.get<{ approvals: Approval[] }>(`/v1/approvals?status=${status}&limit=200`),
        ),
      );
      problem.replaceChildren();
      const ids = new Set(pending?.approvals.map((a) => a.id));
      for (const [id, element] of shown) {
        if (!ids.has(id)) {
          element.remove();
          shown.delete(id);
        }
      }
      for (const approval of pending?.approvals ?? []) {
        if (shown.has(approval.id)) continue;
        const card = approvalCard(ctx.api, approval, {
          showTask: true,
          onAnswered: () => {
            ctx.refreshChrome();
            void refresh();
          },
        });
        shown.set(approval.id, card);
        open.append(card);
      }
      if (shown.size === 0 && !open.querySelector('.empty'))
        open.append(h('div', { class: 'empty' }, 'Nothing is waiting for an answer.'));
      if (shown.size > 0) open.querySelector('.empty')?.remove();
      const answered = [...(allowed?.approvals ?? []), ...(denied?.approvals ?? [])]
        .sort((a, b) => (b.decidedAt ?? '').localeCompare(a.decidedAt ?? ''))
        .slice(0, 50);
      replace(
        recent,
        ...(answered.length > 0
          ? answered.map((a) =>
              h(
                'tr',
                null,
                h(
                  'td',
                  null,
                  h('span', { class: a.status === 'allowed' ? 'ok' : 'bad' }, a.status),
                  a.scope === 'session' ? ' (session)' : '',
                ),
                h('td', null, h('a', { href: route('tasks', a.taskId), class: 'mono small' }, a.taskId)),
                h('td', null, a.tool),
                h('td', { class: 'mono small' }, a.summary),
                h('td', null, a.decidedBy ?? '—'),
                h('td', { title: a.decidedAt ?? '' }, relativeTime(a.decidedAt)),
              ),
            )
          : [h('tr', null, h('td', { colspan: 6, class: 'empty' }, 'No answers yet.'))]),
      );
    } catch (error) {
      replace(problem, errorBox(error));
    }
  };
  return every(3000, refresh);
};
