import { type Component, truncateToWidth, visibleWidth, wrapTextWithAnsi } from '@mariozechner/pi-tui';
import type { EventOf } from '../../agent/events.ts';
import { formatDuration, forTerminal } from '../terminal.ts';
import { describeCall, toolLabel } from './call-label.ts';
import type { PendingApproval } from './session-controller.ts';
import { colourDiffLine, type Paint, paint } from './theme.ts';

/** Output lines shown while a card is folded; Ctrl-O unfolds the last card. */
export const FOLDED_OUTPUT_LINES = 6;
const FOLDED_DIFF_LINES = 16;
/** Tools whose output is the workspace read back: the step matters, not the text. */
const QUIET_OUTPUT = new Set(['read_file', 'list_files', 'grep']);

const SHELL_NOISE = new Set(['[stdout]', '[stderr]', '(no output)']);
const STACK_FRAME = /^\s+at .+[:)]$/;

type Status = 'requested' | 'waiting' | 'running' | 'ok' | 'failed' | 'denied';

const GLYPH: Record<Status, [string, Paint]> = {
  requested: ['○', paint.gray],
  waiting: ['?', paint.yellow],
  running: ['●', paint.cyan],
  ok: ['✓', paint.green],
  failed: ['✗', paint.red],
  denied: ['⊘', paint.red],
};

/** Untrusted text made safe and measurable: no control characters, tabs as spaces. */
export function clean(text: string): string {
  return forTerminal(text.replaceAll('\t', '    '));
}

/**
 * One tool call as a card: the call, the policy's decision and the rule that made it, the question
 * while it waits for a person, then its outcome, its output (folded past a few lines) and the
 * coloured diff of each file it changed.
 */
export class ToolCard implements Component {
  readonly callId: string;
  readonly tool: string;
  expanded = false;
  #call: string;
  #status: Status = 'requested';
  #decision: EventOf<'policy.decided'> | undefined;
  #waiting: PendingApproval | undefined;
  #resolved: EventOf<'approval.resolved'> | undefined;
  #progress = '';
  #finished: EventOf<'tool.finished'> | undefined;
  #diffs: EventOf<'file.changed'>[] = [];
  #cache: { width: number; lines: string[] } | undefined;

  constructor(event: EventOf<'tool.requested'>) {
    this.callId = event.callId;
    this.tool = event.tool;
    this.#call = clean(describeCall(event.tool, event.args));
  }

  /** True when something is folded away that Ctrl-O would show. */
  get foldable(): boolean {
    return (
      this.#outputLines().length > FOLDED_OUTPUT_LINES ||
      this.#diffs.some((d) => lineCount(d.diff) > FOLDED_DIFF_LINES) ||
      (QUIET_OUTPUT.has(this.tool) && this.#outputLines().length > 0)
    );
  }

  get status(): Status {
    return this.#status;
  }

  decided(event: EventOf<'policy.decided'>): void {
    // A call judged as several actions gets a decision for each; the strictest shows.
    if (!this.#decision || rank(event.decision) >= rank(this.#decision.decision)) this.#decision = event;
    if (event.decision === 'deny') this.#status = 'denied';
    this.#changed();
  }

  waiting(pending: PendingApproval | undefined): void {
    this.#waiting = pending;
    if (pending) this.#status = 'waiting';
    this.#changed();
  }

  resolved(event: EventOf<'approval.resolved'>): void {
    this.#resolved = event;
    this.#waiting = undefined;
    this.#status = event.decision === 'allow' ? 'running' : 'denied';
    this.#changed();
  }

  started(): void {
    this.#status = 'running';
    this.#changed();
  }

  progress(message: string): void {
    this.#progress = clean(message);
    this.#changed();
  }

  changed(event: EventOf<'file.changed'>): void {
    this.#diffs.push(event);
    this.#changed();
  }

  finished(event: EventOf<'tool.finished'>): void {
    this.#finished = event;
    this.#progress = '';
    const failed = !event.ok || (event.command !== undefined && event.command.exitCode !== 0);
    if (this.#status !== 'denied') this.#status = failed ? 'failed' : 'ok';
    this.#changed();
  }

  toggle(): void {
    this.expanded = !this.expanded;
    this.#changed();
  }

  invalidate(): void {
    this.#cache = undefined;
  }

  render(width: number): string[] {
    if (this.#cache?.width === width) return this.#cache.lines;
    const lines = [this.#header(width), ...this.#body(width)].map((line) => truncateToWidth(line, width));
    this.#cache = { width, lines };
    return lines;
  }

  #changed(): void {
    this.#cache = undefined;
  }

  #header(width: number): string {
    const [glyph, colour] = GLYPH[this.#status];
    const label = toolLabel(this.tool);
    const name = `${paint.bold(clean(label.name))}${label.mcp ? ` ${paint.magenta('MCP')}` : ''}`;
    const outcome = this.#outcome();
    const right = outcome ? ` ${paint.gray(outcome)}` : '';
    const left = truncateToWidth(
      `${colour(glyph)} ${name} ${this.#call}`,
      Math.max(10, width - visibleWidth(right)),
    );
    const gap = Math.max(0, width - visibleWidth(left) - visibleWidth(right));
    return `${left}${' '.repeat(gap)}${right}`;
  }

  #outcome(): string {
    const done = this.#finished;
    if (this.#status === 'denied') return 'not run';
    if (!done) return this.#status === 'running' ? 'running…' : '';
    const command = done.command;
    const exit = command
      ? command.timedOut
        ? 'timed out'
        : command.limit === 'disk'
          ? 'disk limit'
          : `exit ${command.exitCode ?? 'killed'}`
      : done.ok
        ? 'ok'
        : 'failed';
    return `${exit} · ${formatDuration(done.durationMs)}`;
  }

  #body(width: number): string[] {
    const lines: string[] = [];
    const wrap = (text: string, indent: string, colour: Paint = (t) => t) =>
      wrapTextWithAnsi(text, Math.max(10, width - indent.length)).map((line) => indent + colour(line));
    const decision = this.#decision;
    if (decision) {
      const rules = decision.policies.length > 0 ? clean(decision.policies.join(', ')) : 'default deny';
      const colour =
        decision.decision === 'allow' ? paint.gray : decision.decision === 'ask' ? paint.yellow : paint.red;
      const verdict =
        decision.decision === 'allow' ? 'allowed' : decision.decision === 'ask' ? 'asks' : 'denied';
      lines.push(`  ${colour(`${verdict} · ${rules}`)}`);
      if (decision.decision !== 'allow' && decision.reason)
        lines.push(...wrap(clean(decision.reason), '    ', paint.gray));
    }
    if (this.#waiting) {
      lines.push(...wrap(`Allow ${clean(this.#waiting.summary)}?`, '  ', (t) => paint.bold(paint.yellow(t))));
      // The rule is on the card already when the policy asked; a guard's concern is said here.
      if (!decision || decision.decision === 'allow')
        lines.push(...wrap(clean(this.#waiting.reason), '    ', paint.gray));
      lines.push(`  ${key('o')}nce  ${key('s')}ession  ${key('d')}eny`);
    }
    if (this.#resolved) {
      const by = clean(this.#resolved.by);
      lines.push(
        `  ${this.#resolved.decision === 'allow' ? paint.green(`approved by ${by}`) : paint.red(`not approved (${by})`)}`,
      );
    }
    if (this.#progress) lines.push(`  ${paint.gray(this.#progress)}`);
    for (const diff of this.#diffs) lines.push(...this.#diff(diff));
    lines.push(...this.#output());
    return lines;
  }

  #diff(event: EventOf<'file.changed'>): string[] {
    const all = clean(event.diff).trimEnd().split('\n');
    const shown = this.expanded ? all : all.slice(0, FOLDED_DIFF_LINES);
    const lines = shown.map((line) => `    ${colourDiffLine(line)}`);
    if (shown.length < all.length)
      lines.push(`    ${paint.gray(`… ${all.length - shown.length} more lines (ctrl+o)`)}`);
    return lines;
  }

  #outputLines(): string[] {
    const output = this.#finished?.output ?? '';
    if (!output.trim()) return [];
    // The diffs show an edit; its one-line confirmation adds nothing.
    if (this.#diffs.length > 0 && this.#finished?.ok) return [];
    const lines = clean(output).trimEnd().split('\n');
    // The header has the exit code; the stream markers and "(no output)" are for the model.
    if (this.tool !== 'shell') return lines;
    return lines.filter((line, i) => !(i === 0 && /^exit code: /.test(line)) && !SHELL_NOISE.has(line));
  }

  #output(): string[] {
    const all = this.#outputLines();
    // A refusal's output only repeats the decision and the answer shown above.
    if (all.length === 0 || this.#status === 'denied') return [];
    const failed = this.#status === 'failed';
    const colour = failed ? paint.red : paint.gray;
    if (!this.expanded && QUIET_OUTPUT.has(this.tool) && !failed) {
      return [`    ${paint.gray(`${all.length} line${all.length === 1 ? '' : 's'} read (ctrl+o)`)}`];
    }
    if (this.expanded || all.length <= FOLDED_OUTPUT_LINES) return all.map((line) => `    ${colour(line)}`);
    // Command output ends with what matters (the failure, the summary): its tail shows, without
    // stack frames, which crowd out the failure itself.
    const tail = all.filter((line) => !STACK_FRAME.test(line)).slice(-FOLDED_OUTPUT_LINES);
    return [
      `    ${paint.gray(`… ${all.length - tail.length} more lines (ctrl+o)`)}`,
      ...tail.map((line) => `    ${colour(line)}`),
    ];
  }
}

function key(letter: string): string {
  return paint.bold(paint.yellow(`[${letter}]`));
}

function rank(decision: 'allow' | 'ask' | 'deny'): number {
  return decision === 'deny' ? 2 : decision === 'ask' ? 1 : 0;
}

function lineCount(text: string): number {
  return text.split('\n').length;
}
