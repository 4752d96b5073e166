import { type Api, type Approval, path } from '../api.ts';
import { h, replace, route } from '../dom.ts';
import { relativeTime } from '../format.ts';
import { errorBox } from '../view.ts';
import { toolLabel } from './tool-card.ts';

type Answer = { decision: 'allow' | 'deny'; scope: 'once' | 'session' };

/**
 * A pending approval with its three answers. "For the session" lets the same action through for
 * the rest of the task without asking again; a denial is always for this call only.
 */
export function approvalCard(
  api: Api,
  approval: Approval,
  options: { showTask?: boolean; onAnswered: (approval: Approval) => void },
): HTMLElement {
  const status = h('div', { role: 'status' });
  const buttons: HTMLButtonElement[] = [];
  const answer = async (body: Answer) => {
    for (const b of buttons) b.disabled = true;
    status.replaceChildren();
    try {
      const decided = await api.post<Approval>(path('approvals', approval.id), body);
      replace(
        status,
        h(
          'span',
          { class: decided.status === 'allowed' ? 'ok' : 'bad' },
          `${decided.status === 'allowed' ? 'Approved' : 'Denied'}`,
        ),
      );
      options.onAnswered(decided);
    } catch (error) {
      for (const b of buttons) b.disabled = false;
      replace(status, errorBox(error));
    }
  };
  const button = (label: string, cls: string, body: Answer, title: string) => {
    const b = h(
      'button',
      { type: 'button', class: cls, title, 'data-decide': `${body.decision}-${body.scope}` },
      label,
    );
    b.addEventListener('click', () => void answer(body));
    buttons.push(b);
    return b;
  };
  return h(
    'div',
    { class: 'approval', 'data-approval': approval.id, 'data-call': approval.callId },
    h(
      'div',
      { class: 'approval-head' },
      h('span', { class: 'badge status-waiting_approval' }, 'approval needed'),
      ...toolLabel(approval.tool, 'approval-tool'),
      options.showTask
        ? h('a', { href: route('tasks', approval.taskId), class: 'mono small' }, approval.taskId)
        : null,
      h('span', { class: 'muted small', title: approval.createdAt }, relativeTime(approval.createdAt)),
    ),
    h('code', { class: 'approval-summary' }, approval.summary),
    // The server's reason repeats the summary in front ("shell: rm x: `rm x`: needs approval by …").
    h(
      'div',
      { class: 'reason small' },
      approval.reason.startsWith(`${approval.summary}: `)
        ? approval.reason.slice(approval.summary.length + 2)
        : approval.reason,
    ),
    h(
      'div',
      { class: 'buttons' },
      button('Approve once', 'primary', { decision: 'allow', scope: 'once' }, 'Let this one call run'),
      button(
        'Approve for session',
        '',
        { decision: 'allow', scope: 'session' },
        'Let this call run, and the same action again for the rest of this task without asking',
      ),
      button(
        'Deny',
        'danger',
        { decision: 'deny', scope: 'once' },
        'Refuse this call; the agent is told it was denied',
      ),
    ),
    status,
  );
}
