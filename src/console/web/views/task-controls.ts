import { type Api, path, type Task, TERMINAL } from '../api.ts';
import { h, replace } from '../dom.ts';
import { duration } from '../format.ts';
import { errorBox } from '../view.ts';

export interface TaskControls {
  /** The side panel: steering, the instruction, the task's settings. */
  element: HTMLElement;
  /** Cancel, for the page's title row. */
  cancelButton: HTMLElement;
  update(task: Task): void;
}

/** What a person can do to a running task: steer it with a message, or cancel it. */
export function taskControls(api: Api, id: string, changed: () => void): TaskControls {
  const text = h('textarea', {
    id: 'steer-text',
    rows: 4,
    placeholder:
      'e.g. "Also add a test for negative amounts." The agent reads it before its next model request.',
    'aria-label': 'Steering message',
  });
  const send = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const steerStatus = h('div', { class: 'small', role: 'status', 'aria-live': 'polite' });
  const steer = h(
    'form',
    {
      class: 'steer',
      method: 'post',
      onsubmit: (event: Event) => {
        event.preventDefault();
        void steerTask();
      },
    },
    h('h3', null, h('label', { for: 'steer-text' }, 'Steer')),
    text,
    h('div', { class: 'form-actions' }, send),
    steerStatus,
  );
  const instruction = h('div', { class: 'instruction' });
  const settings = h('dl', { class: 'settings' });
  const cancelSlot = h('span', { class: 'cancel-slot' });
  const steerPanel = h('div', { class: 'panel' }, steer);
  const element = h(
    'div',
    { class: 'side-panels' },
    steerPanel,
    h('div', { class: 'panel' }, h('h3', null, 'Instruction'), instruction),
    h('div', { class: 'panel' }, h('h3', null, 'Settings'), settings),
  );

  let ended = false;
  const cancelIdle = () =>
    replace(
      cancelSlot,
      h(
        'button',
        { type: 'button', class: 'danger', 'data-action': 'cancel', onclick: confirmCancel, disabled: ended },
        'Cancel task',
      ),
    );
  function confirmCancel() {
    replace(
      cancelSlot,
      h('span', { class: 'muted small' }, 'Stop this task now? '),
      h(
        'button',
        { type: 'button', class: 'danger', 'data-action': 'confirm-cancel', onclick: () => void cancel() },
        'Yes, cancel it',
      ),
      h('button', { type: 'button', onclick: cancelIdle }, 'Keep running'),
    );
  }
  async function cancel() {
    try {
      await api.post<Task>(`${path('tasks', id)}/cancel`);
      replace(cancelSlot, h('span', { class: 'muted small' }, 'Cancelling…'));
      changed();
    } catch (error) {
      replace(cancelSlot, errorBox(error));
      setTimeout(cancelIdle, 6000);
    }
  }
  async function steerTask() {
    const message = text.value.trim();
    if (!message) return;
    send.disabled = true;
    steerStatus.replaceChildren();
    try {
      await api.post(`${path('tasks', id)}/messages`, { text: message });
      text.value = '';
      replace(
        steerStatus,
        h('span', { class: 'ok' }, 'Sent. The agent reads it before its next model request.'),
      );
    } catch (error) {
      replace(steerStatus, errorBox(error));
    } finally {
      send.disabled = ended;
    }
  }
  cancelIdle();

  let drawnStatus = '';
  return {
    element,
    cancelButton: cancelSlot,
    update(task) {
      if (instruction.textContent !== task.instruction) instruction.textContent = task.instruction;
      const limits = Object.entries(task.limits ?? {}).map(
        ([k, v]) => `${k} ${k === 'wallTimeSeconds' ? duration(Number(v) * 1000) : v}`,
      );
      const row = (label: string, value: string) => [h('dt', null, label), h('dd', null, value)];
      replace(
        settings,
        ...row('Repository', task.repository),
        ...row('Model', task.model),
        ...row('Policy', task.policy),
        ...row('Limits', limits.length > 0 ? limits.join(', ') : 'the policy’s'),
        ...row('Started', task.startedAt ? new Date(task.startedAt).toLocaleString() : 'not yet'),
        ...row('Finished', task.finishedAt ? new Date(task.finishedAt).toLocaleString() : '—'),
        ...row('Runs', String(task.runs)),
      );
      if (drawnStatus === task.status) return;
      drawnStatus = task.status;
      ended = TERMINAL.has(task.status);
      send.disabled = ended;
      text.disabled = ended;
      // An ended task takes no messages: the box goes rather than sit there disabled.
      steerPanel.hidden = ended;
      if (ended) {
        replace(cancelSlot);
      } else if (!cancelSlot.querySelector('[data-action="confirm-cancel"]')) {
        cancelIdle();
      }
    },
  };
}
