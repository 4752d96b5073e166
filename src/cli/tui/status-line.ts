import { type Component, truncateToWidth, visibleWidth } from '@mariozechner/pi-tui';
import type { ControllerState } from './session-controller.ts';
import type { Spend } from './spend.ts';
import { paint } from './theme.ts';
import { clean } from './tool-card.ts';

/**
 * Two lines under the prompt: what the session is doing and what it has spent (model, tokens and
 * cost, context used, policy, sandbox, network), then the keys that apply now, or a passing hint.
 */
export class StatusLine implements Component {
  #state: ControllerState;
  #spend: Spend;
  #hint: string | undefined;

  constructor(state: ControllerState, spend: Spend) {
    this.#state = state;
    this.#spend = spend;
  }

  update(state: ControllerState, spend: Spend): void {
    this.#state = state;
    this.#spend = spend;
  }

  /** A passing message in place of the keys (until the next `hint`). */
  hint(text: string | undefined): void {
    this.#hint = text;
  }

  invalidate(): void {}

  render(width: number): string[] {
    return [this.#facts(width), truncateToWidth(paint.gray(this.#keys()), width)];
  }

  #facts(width: number): string {
    const { info, busy, approvals, queued, ended } = this.#state;
    const doing = ended
      ? paint.gray(`● ended · ${clean(ended)}`)
      : approvals.length > 0
        ? paint.yellow(`● waiting for you (${approvals.length})`)
        : busy
          ? paint.cyan('● working')
          : paint.green('● ready');
    const spend = this.#spend;
    const tokens = spend.inputTokens + spend.outputTokens;
    const queue = queued.length > 0 ? paint.yellow(` · ${queued.length} queued`) : '';
    const left = `${doing}${queue}`;
    const room = width - visibleWidth(left) - 2;
    if (room < 10) return truncateToWidth(left, width);
    const facts = (model: string, policy: string | undefined, withContext = true) =>
      [
        model,
        `${compact(tokens)} tok${spend.cost === undefined ? '' : ` · $${spend.cost.toFixed(spend.cost < 1 ? 4 : 2)}`}`,
        withContext ? context(spend.contextTokens, info.contextWindow) : undefined,
        policy === undefined ? undefined : `policy ${policy}`,
        clean(info.sandbox === 'bubblewrap' ? 'bwrap' : info.sandbox),
        clean(info.network),
      ]
        .filter((fact): fact is string => Boolean(fact))
        .join(' · ');
    const model = clean(shortModel(info.model));
    const policy = clean(info.policy);
    let line = facts(model, policy);
    // Short of room, the policy's name gives way first, then the context share, then the model's
    // name, then the policy altogether (the welcome line names it); the sandbox and network stay.
    let policyRoom = visibleWidth(policy);
    let modelRoom = visibleWidth(model);
    let withContext = true;
    let withPolicy = true;
    while (visibleWidth(line) > room && (policyRoom > 6 || withContext || modelRoom > 10 || withPolicy)) {
      if (policyRoom > 6) policyRoom--;
      else if (withContext) withContext = false;
      else if (modelRoom > 10) modelRoom--;
      else withPolicy = false;
      line = facts(
        truncateToWidth(model, modelRoom, '…'),
        withPolicy ? truncateToWidth(policy, policyRoom, '…') : undefined,
        withContext,
      );
    }
    return `${left}  ${truncateToWidth(paint.gray(line), room)}`;
  }

  #keys(): string {
    if (this.#hint) return this.#hint;
    if (this.#state.ended) return 'the task has ended and takes no more messages · ctrl+c twice leaves';
    if (this.#state.approvals.length > 0) return 'o once · s session · d deny · esc stop the turn';
    if (this.#state.busy)
      return 'enter steers (before the next model request) · esc stops the turn · ctrl+o unfold';
    return 'enter send · shift+enter newline · @file · /help · ctrl+c twice quits';
  }
}

/** A scripted model's file without its directories: the status line has little room. */
function shortModel(id: string): string {
  return id.startsWith('script:') ? `script:${id.slice(id.lastIndexOf('/') + 1)}` : id;
}

function compact(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** "ctx 12%" of the window when known, else the tokens. */
function context(tokens: number | undefined, window: number | undefined): string | undefined {
  if (tokens === undefined) return undefined;
  if (!window) return `ctx ${compact(tokens)}`;
  return `ctx ${Math.min(100, Math.round((tokens / window) * 100))}%`;
}
