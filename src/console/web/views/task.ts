import type { WardenEvent } from '../../../agent/events.ts';
import { type Approval, path, type Task, TERMINAL } from '../api.ts';
import { h, replace, route } from '../dom.ts';
import { followEvents, type StreamState } from '../event-stream.ts';
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
import { errorBox, every, type View } from '../view.ts';
import { approvalCard } from './approval-card.ts';
import { taskControls } from './task-controls.ts';
import { createTimeline } from './timeline.ts';

const STREAM_LABELS: Record<StreamState, string> = {
  connecting: 'connecting…',
  live: 'live',
  retrying: 'reconnecting…',
  ended: 'ended',
  refused: 'refused',
};

/** The live page of one task: its steps as they stream, approvals to answer, steering, cancel. */
export const taskView: View = (ctx) => {
  const id = ctx.params[0] ?? '';
  const head = h('div', { class: 'task-head' });
  const metrics = h('div', { class: 'metrics' });
  const problem = h('div');
  const approvals = h('div', { class: 'approvals' });
  const streamState = h('span', { class: 'stream-state', 'data-state': 'connecting' }, 'connecting…');
  const timeline = createTimeline();
  const controls = taskControls(ctx.api, id, () => void refresh());
  ctx.main.append(
    head,
    metrics,
    problem,
    h(
      'div',
      { class: 'task-layout' },
      h(
        'section',
        { class: 'task-main' },
        approvals,
        h('div', { class: 'section-head' }, h('h2', null, 'Steps'), streamState),
        timeline.element,
      ),
      h('aside', { class: 'task-side' }, controls.element),
    ),
  );

  let task: Task | undefined;
  const live = {
    turns: 0,
    calls: 0,
    files: new Set<string>(),
    tokens: 0,
    cost: undefined as number | undefined,
  };
  const shown = new Map<string, HTMLElement>();
  let follow = true;

  const drawHead = (t: Task) => {
    replace(
      head,
      h(
        'div',
        { class: 'title-row' },
        statusBadge(t.status),
        h('h1', { title: t.instruction }, firstLine(t.instruction, 160) || t.id),
        h(
          'div',
          { class: 'actions' },
          h('a', { class: 'button', href: route('tasks', t.id, 'audit') }, 'Audit'),
          controls.cancelButton,
        ),
      ),
      h(
        'div',
        { class: 'meta' },
        h('span', { class: 'mono' }, t.id),
        h('span', { title: t.repository }, 'repo ', h('strong', null, basename(t.repository))),
        h('span', { title: t.model }, 'model ', h('strong', { class: 'mono' }, shortModel(t.model))),
        h('span', null, 'policy ', h('a', { href: route('policies', t.policy) }, t.policy)),
        h('span', null, `by ${t.createdBy} (${t.team})`),
        h('span', { title: t.createdAt }, `created ${relativeTime(t.createdAt)}`),
        t.runs > 1 ? h('span', null, `resumed ×${t.runs - 1}`) : null,
      ),
    );
    if (t.error && t.status === 'failed')
      replace(
        problem,
        h('div', { class: 'callout error' }, h('strong', null, t.error.code), ` ${t.error.message}`),
      );
  };
  const drawMetrics = () => {
    const metric = (label: string, value: string, key: string) =>
      h(
        'div',
        { class: 'metric', 'data-metric': key },
        h('div', { class: 'label' }, label),
        h('div', { class: 'value' }, value),
      );
    const report = task?.report;
    replace(
      metrics,
      metric('Duration', duration(task?.durationMs), 'duration'),
      metric('Turns', String(report?.turns ?? live.turns), 'turns'),
      metric('Tool calls', String(report?.toolCalls ?? live.calls), 'calls'),
      metric('Files changed', String(report?.diffStat.files ?? live.files.size), 'files'),
      metric('Tokens', tokens(Math.max(task?.tokens ?? 0, live.tokens)), 'tokens'),
      metric('Cost', cost(task?.cost ?? live.cost), 'cost'),
    );
  };

  const refreshApprovals = async () => {
    const { approvals: open } = await ctx.api.get<{ approvals: Approval[] }>(
      `/v1/approvals?status=pending&taskId=${encodeURIComponent(id)}`,
    );
    const ids = new Set(open.map((a) => a.id));
    for (const [key, element] of shown) {
      if (!ids.has(key)) {
        element.remove();
        shown.delete(key);
      }
    }
    for (const approval of open) {
      if (shown.has(approval.id)) continue;
      const card = approvalCard(ctx.api, approval, {
        onAnswered: () => {
          ctx.refreshChrome();
          void refresh();
        },
      });
      shown.set(approval.id, card);
      approvals.append(card);
    }
  };

  const refresh = async () => {
    try {
      task = await ctx.api.get<Task>(path('tasks', id));
      drawHead(task);
      drawMetrics();
      controls.update(task);
      await refreshApprovals();
      if (TERMINAL.has(task.status)) stopPolling();
    } catch (error) {
      replace(problem, errorBox(error));
      throw error;
    }
  };

  const onEvent = (event: WardenEvent) => {
    const atBottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120;
    timeline.add(event);
    if (event.type === 'model.request') live.turns = event.turn;
    if (event.type === 'tool.requested') live.calls += 1;
    if (event.type === 'file.changed') live.files.add(event.path);
    if (event.type === 'model.response') {
      live.tokens += event.usage.inputTokens + event.usage.outputTokens;
      if (event.cost !== undefined) live.cost = (live.cost ?? 0) + event.cost;
    }
    if (event.type.startsWith('approval.') || event.type === 'session.finished')
      void refresh().catch(() => {});
    drawMetrics();
    if (follow && atBottom)
      requestAnimationFrame(() => window.scrollTo(0, document.documentElement.scrollHeight));
  };

  let stopPolling: () => void = () => {};
  const stream = followEvents({
    url: `${path('tasks', id)}/events`,
    headers: ctx.api.headers,
    onEvent: (event) => onEvent(event as WardenEvent),
    onEnd: () => {
      void refresh().catch(() => {});
      stopPolling();
    },
    onState: (state, detail) => {
      streamState.dataset.state = state;
      streamState.textContent = STREAM_LABELS[state];
      streamState.title = detail ?? '';
      if (state === 'refused' && detail === '401') void refresh().catch(() => {});
    },
  });

  void refresh()
    .then(() => {
      // A finished task opens at its top; a live one follows its newest step.
      follow = task ? !TERMINAL.has(task.status) : true;
      if (follow) stopPolling = every(2000, refresh);
    })
    .catch(() => {});
  return () => {
    stream.close();
    stopPolling();
  };
};
