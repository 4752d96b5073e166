import { type Component, Container, Spacer } from '@mariozechner/pi-tui';
import type { WardenEvent } from '../../agent/events.ts';
import { NoteBlock, OutputBlock, ReplyBlock, RunEndBlock, UserBlock } from './blocks.ts';
import type { CommandOutput, PendingApproval } from './session-controller.ts';
import { paint } from './theme.ts';
import { clean, ToolCard } from './tool-card.ts';

/**
 * The conversation as blocks, built from the session's events alone (and the reply while it
 * streams): what the person said, the model's replies as markdown, a card per tool call, a line
 * for each run's end, notes, and the answers of slash commands.
 */
export class Conversation extends Container {
  #session: string | undefined;
  #cards = new Map<string, ToolCard>();
  #lastCard: ToolCard | undefined;
  #reply: ReplyBlock | undefined;
  #pending = new Map<string, PendingApproval>();

  /** The session the blocks are of: another one's events start the conversation over. */
  get session(): string | undefined {
    return this.#session;
  }

  add(event: WardenEvent): void {
    if (this.#session !== undefined && event.session !== this.#session) this.reset();
    this.#session = event.session;
    switch (event.type) {
      case 'session.started':
        if (!event.resumedFrom || this.children.length === 0)
          this.#block(
            new NoteBlock(
              `session ${event.session} · ${clean(event.model)}${event.resumedFrom ? ' · resumed' : ''}`,
            ),
          );
        this.#block(new UserBlock(event.task));
        return;
      case 'user.message':
        this.#block(new UserBlock(event.text, 'steering: sent before the next model request'));
        return;
      case 'model.response':
        if (this.#reply?.turn === event.turn) {
          this.#reply.setText(event.text);
          if (!this.#reply.text) this.#remove(this.#reply);
        } else if (event.text.trim()) this.#block(new ReplyBlock(event.turn, event.text));
        this.#reply = undefined;
        return;
      case 'model.retry':
        this.#note(`model retry ${event.attempt}: ${clean(event.reason)}`, paint.yellow);
        return;
      case 'context.compacted':
        this.#note(`context compacted: ${event.messagesBefore} → ${event.messagesAfter} messages`);
        return;
      case 'tool.requested': {
        const card = new ToolCard(event);
        this.#cards.set(event.callId, card);
        this.#lastCard = card;
        this.#block(card);
        const pending = this.#pending.get(event.callId);
        if (pending) card.waiting(pending);
        return;
      }
      case 'policy.decided':
        this.#cards.get(event.callId)?.decided(event);
        return;
      case 'approval.requested':
        this.#cards.get(event.callId)?.waiting(
          this.#pending.get(event.callId) ?? {
            callId: event.callId,
            tool: event.tool,
            summary: event.tool,
            reason: event.reason,
          },
        );
        return;
      case 'approval.resolved':
        this.#pending.delete(event.callId);
        this.#cards.get(event.callId)?.resolved(event);
        return;
      case 'tool.started':
        this.#cards.get(event.callId)?.started();
        return;
      case 'tool.progress':
        this.#cards.get(event.callId)?.progress(event.message);
        return;
      case 'file.changed': {
        const card = this.#cards.get(event.callId);
        if (card) card.changed(event);
        return;
      }
      case 'tool.finished':
        this.#cards.get(event.callId)?.finished(event);
        return;
      case 'net.request':
        this.#note(
          `${event.allowed ? 'network' : 'network blocked'} ${clean(`${event.method} ${event.host}:${event.port}`)}${event.allowed ? ` · ${event.bytes} bytes` : ''}`,
          event.allowed ? paint.gray : paint.red,
        );
        return;
      case 'guard.flagged':
        this.#note(
          `flagged ${clean(event.rule)} in ${clean(event.source)}: ${clean(event.detail)}`,
          paint.yellow,
        );
        return;
      case 'mcp.server': {
        const ok = event.status === 'connected';
        const detail = ok
          ? `${event.tools.length} tools${event.withheld.length ? `; withheld: ${event.withheld.map((w) => `${w.tool} (${w.reason})`).join('; ')}` : ''}`
          : `${event.status}${event.detail ? `: ${event.detail}` : ''}`;
        this.#note(
          `mcp ${clean(event.server)} ${clean(detail)}`,
          ok && event.withheld.length === 0 ? paint.gray : paint.yellow,
        );
        return;
      }
      case 'limit.reached':
        this.#note(`limit reached: ${event.limit} (${event.value} of ${event.max})`, paint.yellow);
        return;
      case 'user.command':
        this.#note(
          `${event.command === 'quit' ? '' : `/${event.command}: `}${clean(event.detail)}${event.files?.length ? ` (${event.files.map(clean).join(', ')})` : ''}`,
        );
        return;
      case 'session.finished':
        this.#reply = undefined;
        this.#block(new RunEndBlock(event.report));
        return;
      default:
        return;
    }
  }

  /** The reply of `turn` so far, while it streams. */
  partial(turn: number, text: string): void {
    if (this.#reply?.turn === turn) {
      this.#reply.setText(text);
      return;
    }
    this.#reply = new ReplyBlock(turn, text);
    this.#block(this.#reply);
  }

  /** The approvals waiting now: their cards show the question and the keys. */
  approvals(pending: PendingApproval[]): void {
    const now = new Map(pending.map((p) => [p.callId, p]));
    for (const [callId] of this.#pending) if (!now.has(callId)) this.#cards.get(callId)?.waiting(undefined);
    this.#pending = now;
    for (const p of pending) this.#cards.get(p.callId)?.waiting(p);
  }

  output(output: CommandOutput): void {
    this.#block(new OutputBlock(output));
  }

  /** A line the person typed that went to Warden, not to the model (a slash command). */
  said(text: string): void {
    this.#block(new UserBlock(text));
  }

  note(text: string, colour = paint.gray): void {
    this.#note(text, colour);
  }

  /** Ctrl-O: unfolds (or folds again) the last card that has something folded. */
  toggleLast(): boolean {
    const card = [...this.#cards.values()].reverse().find((c) => c.foldable || c.expanded) ?? this.#lastCard;
    if (!card) return false;
    card.toggle();
    return true;
  }

  reset(): void {
    this.clear();
    this.#cards.clear();
    this.#lastCard = undefined;
    this.#reply = undefined;
    this.#session = undefined;
  }

  #note(text: string, colour = paint.gray): void {
    this.#block(new NoteBlock(text, colour));
  }

  #block(component: Component): void {
    if (this.children.length > 0) this.addChild(new Spacer(1));
    this.addChild(component);
  }

  #remove(component: Component): void {
    const at = this.children.indexOf(component);
    if (at < 0) return;
    // The spacer before it goes too.
    this.children.splice(at > 0 ? at - 1 : at, at > 0 ? 2 : 1);
  }
}
