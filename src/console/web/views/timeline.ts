import type { EventOf, WardenEvent } from '../../../agent/events.ts';
import { type Child, h } from '../dom.ts';
import { clock, cost, duration, tokens } from '../format.ts';
import { renderDiff } from './diff.ts';
import { renderReport } from './report.ts';
import { type ToolCard, toolCard } from './tool-card.ts';

export interface Timeline {
  element: HTMLElement;
  add(event: WardenEvent): void;
}

/**
 * A session's events as steps a person reads: turns, what the assistant said, each tool call with
 * its decision, approval, diffs and output, steering messages, and the report at the end.
 */
export function createTimeline(): Timeline {
  const element = h('div', { class: 'timeline', 'aria-live': 'off' });
  const cards = new Map<string, ToolCard>();
  const turns = new Map<number, HTMLElement>();

  const row = (kind: string, event: WardenEvent, ...children: Child[]) =>
    element.append(
      h(
        'div',
        { class: `step ${kind}`, 'data-type': event.type },
        h('time', { datetime: event.time }, clock(event.time)),
        ...children,
      ),
    );
  const card = (callId: string) => cards.get(callId);

  const handlers: { [T in WardenEvent['type']]?: (event: EventOf<T>) => void } = {
    'session.started': (e) =>
      row(
        'note',
        e,
        e.resumedFrom ? `Session resumed (from ${e.resumedFrom}) · ` : 'Session started · ',
        h('span', { class: 'mono' }, e.model),
      ),
    'model.request': (e) => {
      const meta = h('span', { class: 'meta' }, `~${tokens(e.estimatedInputTokens)} tokens of context`);
      const divider = h(
        'div',
        { class: 'turn', 'data-turn': e.turn },
        h('span', { class: 'turn-label' }, `Turn ${e.turn}`),
        meta,
      );
      turns.set(e.turn, meta);
      element.append(divider);
    },
    'model.response': (e) => {
      const meta = turns.get(e.turn);
      if (meta) {
        meta.textContent = [
          `${tokens(e.usage.inputTokens)} in · ${tokens(e.usage.outputTokens)} out`,
          e.cost === undefined ? '' : ` · ${cost(e.cost)}`,
          ` · ${duration(e.durationMs)}`,
          e.attempts > 1 ? ` · ${e.attempts} attempts` : '',
        ].join('');
      }
      if (e.text.trim()) {
        element.append(
          h(
            'div',
            { class: 'step say assistant', 'data-type': e.type },
            h('div', { class: 'who' }, 'assistant'),
            h('div', { class: 'text' }, e.text),
          ),
        );
      }
    },
    'model.retry': (e) =>
      row(
        'note warn',
        e,
        `Model request retried (attempt ${e.attempt}) after ${duration(e.delayMs)}: ${e.reason}`,
      ),
    'context.compacted': (e) =>
      row(
        'note',
        e,
        `Context compacted: ${e.messagesBefore} → ${e.messagesAfter} messages (${tokens(e.tokensBefore)} tokens before)`,
      ),
    'tool.requested': (e) => {
      const created = toolCard(e.tool, e.callId, e.args);
      cards.set(e.callId, created);
      element.append(created.element);
    },
    'policy.decided': (e) => card(e.callId)?.decided(e),
    'approval.requested': (e) => card(e.callId)?.waiting(e),
    'approval.resolved': (e) => card(e.callId)?.resolved(e),
    'tool.started': (e) => card(e.callId)?.started(),
    'tool.progress': (e) => card(e.callId)?.progress(e.message),
    'tool.finished': (e) => card(e.callId)?.finished(e),
    'file.changed': (e) => {
      const owner = card(e.callId);
      if (owner) owner.changed(e);
      else element.append(h('div', { class: 'step' }, renderDiff(e.path, e.kind, e.diff, e.from)));
    },
    'net.request': (e) =>
      row(
        `note ${e.allowed ? '' : 'warn'}`,
        e,
        `Network ${e.method} ${e.host}:${e.port} `,
        h('span', { class: e.allowed ? 'ok' : 'bad' }, e.allowed ? `allowed (${e.bytes} bytes)` : 'blocked'),
      ),
    'guard.flagged': (e) => row('note warn', e, `Guard flagged ${e.rule} in ${e.source}: ${e.detail}`),
    'mcp.server': (e) =>
      row(e.status === 'connected' && e.withheld.length === 0 ? 'note' : 'note warn', e, mcpServerLine(e)),
    'limit.reached': (e) =>
      row(
        'note bad',
        e,
        `Limit reached: ${e.limit} ${e.value.toLocaleString()} of ${e.max.toLocaleString()}`,
      ),
    'user.message': (e) =>
      element.append(
        h(
          'div',
          { class: 'step say user', 'data-type': e.type },
          h('div', { class: 'who' }, `${e.from} · steering`),
          h('div', { class: 'text' }, e.text),
        ),
      ),
    'session.finished': (e) =>
      element.append(h('div', { class: 'step', 'data-type': e.type }, renderReport(e.report))),
  };

  return {
    element,
    add(event) {
      const handler = handlers[event.type] as ((event: WardenEvent) => void) | undefined;
      handler?.(event);
    },
  };
}

/** One line for an MCP server as the session opened: what the model got, what it did not, and why. */
function mcpServerLine(e: EventOf<'mcp.server'>): string {
  const head = `MCP server ${e.server} (${e.transport})`;
  if (e.status !== 'connected') return `${head} ${e.status}${e.detail ? `: ${e.detail}` : ''}`;
  const parts = [`${e.tools.length} tool${e.tools.length === 1 ? '' : 's'} offered`];
  if (e.pinned.length > 0) parts.push(`pinned now: ${e.pinned.join(', ')}`);
  if (e.withheld.length > 0)
    parts.push(`withheld: ${e.withheld.map((w) => `${w.tool} (${w.reason})`).join('; ')}`);
  return `${head} connected: ${parts.join(' · ')}`;
}
