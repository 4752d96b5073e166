import type { EventOf } from '../../../agent/events.ts';
import type { CommandRun } from '../../../tools/types.ts';
import { describeCall, mcpToolName } from '../call-summary.ts';
import { h, replace } from '../dom.ts';
import { duration } from '../format.ts';
import { renderDiff } from './diff.ts';

/** Tools whose output is the workspace read back: folded by default, the step matters, not the text. */
const QUIET_OUTPUT = new Set(['read_file', 'list_files', 'grep']);

/** Output longer than this many lines starts folded. */
const OPEN_LINES = 40;

export interface ToolCard {
  element: HTMLElement;
  decided(event: EventOf<'policy.decided'>): void;
  waiting(event: EventOf<'approval.requested'>): void;
  resolved(event: EventOf<'approval.resolved'>): void;
  started(): void;
  progress(message: string): void;
  changed(event: EventOf<'file.changed'>): void;
  finished(event: EventOf<'tool.finished'>): void;
}

/**
 * One tool call from request to result: what was asked, the policy's decision and its rule, the
 * approval if one was needed, the diff of each file it changed, and its output.
 */
export function toolCard(tool: string, callId: string, args: unknown): ToolCard {
  const decision = h('span', { class: 'decision' });
  const outcome = h('span', { class: 'outcome' });
  const reason = h('div', { class: 'reason small', hidden: true });
  const approval = h('div', { class: 'approval-line', hidden: true });
  const progress = h('div', { class: 'progress small muted', hidden: true });
  const diffs = h('div', { class: 'diffs' });
  const output = h('div', { class: 'tool-output' });
  const element = h(
    'article',
    { class: 'step tool state-requested', 'data-call': callId, 'data-tool': tool },
    h(
      'header',
      null,
      ...toolLabel(tool),
      h('code', { class: 'tool-arg' }, describeCall(tool, args, { maxChars: 160 })),
      decision,
      outcome,
    ),
    reason,
    approval,
    progress,
    diffs,
    output,
  );
  const state = (name: string) => {
    element.className = element.className.replace(/\bstate-\S+/, `state-${name}`);
  };

  return {
    element,
    decided(event) {
      decision.textContent = event.decision;
      decision.className = `decision decision-${event.decision}`;
      decision.title = event.policies.join(', ');
      if (event.decision !== 'allow') {
        reason.textContent = event.reason;
        reason.hidden = false;
      }
      if (event.decision === 'deny') state('denied');
    },
    waiting(event) {
      state('waiting');
      approval.hidden = false;
      // The reason is on the card already (policy.decided); this line says only what is awaited.
      replace(approval, h('span', { class: 'pulse' }), 'Waiting for a person to approve or deny');
      if (reason.hidden) {
        reason.textContent = event.reason;
        reason.hidden = false;
      }
    },
    resolved(event) {
      approval.hidden = false;
      approval.className = `approval-line resolved-${event.decision}`;
      replace(approval, event.decision === 'allow' ? `Approved by ${event.by}` : `Denied by ${event.by}`);
      state(event.decision === 'allow' ? 'running' : 'denied');
    },
    started() {
      state('running');
      outcome.textContent = 'running…';
    },
    progress(message) {
      progress.hidden = false;
      progress.textContent = message;
    },
    changed(event) {
      diffs.append(renderDiff(event.path, event.kind, event.diff, event.from));
    },
    finished(event) {
      const command = event.command;
      state(event.ok && (!command || command.exitCode === 0) ? 'ok' : 'failed');
      progress.hidden = true;
      replace(
        outcome,
        command
          ? exitLabel(command)
          : h('span', { class: `exit ${event.ok ? 'ok' : 'bad'}` }, event.ok ? 'ok' : 'failed'),
        ' ',
        h('span', { class: 'muted' }, duration(event.durationMs)),
      );
      replace(output, renderOutput(tool, event.ok, event.output));
    },
  };
}

/** How a command ended: its exit code, or why it has none. */
export function exitLabel(command: CommandRun): HTMLElement {
  const text = command.timedOut
    ? 'timed out'
    : command.limit === 'disk'
      ? 'disk limit'
      : command.exitCode === null
        ? 'killed'
        : `exit ${command.exitCode}`;
  return h('span', { class: `exit ${command.exitCode === 0 ? 'ok' : 'bad'}` }, text);
}

function renderOutput(tool: string, ok: boolean, text: string): HTMLElement | null {
  if (!text) return null;
  const lines = text.split('\n').length;
  if (lines === 1 && text.length < 200 && ok) return h('div', { class: 'small muted' }, text);
  const pre = h('pre', { class: `output${ok ? '' : ' failed'}` }, text);
  if ((QUIET_OUTPUT.has(tool) && ok) || lines > OPEN_LINES) {
    return h('details', { class: 'fold' }, h('summary', null, `Output · ${lines} lines`), pre);
  }
  return pre;
}

/**
 * An MCP server's tool is called `server__tool` by the model; a person reads it as the policy
 * writes it, `server.tool`, marked as coming from an MCP server.
 */
export function toolLabel(tool: string, nameClass = 'tool-name'): HTMLElement[] {
  const name = mcpToolName(tool);
  if (name === undefined) return [h('span', { class: nameClass }, tool)];
  return [h('span', { class: nameClass, title: tool }, name), h('span', { class: 'tool-kind' }, 'MCP')];
}
