import type { WardenEvent } from '../../agent/events.ts';
import type { ApprovalAnswer } from '../../policy/approvals.ts';

/**
 * What the interactive UI drives: a session it shows and talks to, local (`warden chat`, built on
 * launchSession as `warden exec` is) or remote (`warden attach TASK`, through the serve API). The
 * view holds no agent logic; everything it does goes through this interface.
 *
 * Stability: this interface is shared with `warden attach` and the screen tests; it only grows
 * (new optional members), it never changes a member's meaning.
 */
export interface SessionController {
  /**
   * Every event of the session so far (a resumed or attached session's history, in `seq` order),
   * then the live ones as they are stored. Returns the unsubscribe function. Events are as recorded:
   * text in them (model output, tool output, arguments) is not cleaned for a terminal; the view
   * cleans it before display. After `/resume` to another session, that session's history follows
   * (events carry `session`: a view starts over when it changes).
   */
  subscribe(sink: (event: WardenEvent) => void): () => void;

  /**
   * Optional: the model's reply as it is generated, before its `model.response` event (which
   * replaces it). Each call gives the whole reply so far, redacted like events are; `turn` is the
   * turn of the `model.request` it answers. A remote session may not offer it.
   */
  stream?(sink: (partial: { turn: number; text: string }) => void): () => void;

  /**
   * Told of every change of `state` (busy, pending approvals, info), and once at once with the
   * current state. Returns the unsubscribe function.
   */
  watch(listener: (state: ControllerState) => void): () => void;

  /** The state now (the same object the last `watch` call was given). */
  readonly state: ControllerState;

  /**
   * A person's message. When idle it starts a turn (a new run of the session, continuing it when
   * there is one); when busy it is queued and delivered as steering before the next model request
   * (recorded as `user.message`). Resolves once accepted, not when the turn ends: `state.busy`
   * says that. Rejects (a WardenError) when it cannot be accepted (the session is closed, the
   * remote refused).
   */
  send(text: string): Promise<void>;

  /**
   * Answers the pending approval of `callId` (see `state.approvals`). An answer for a call that is
   * no longer pending is ignored.
   */
  answer(callId: string, answer: ApprovalAnswer): Promise<void>;

  /**
   * Esc: stop the current turn. The run ends as `cancelled` (its `session.finished` records it,
   * with the reason); a pending approval is denied; steering not yet delivered is dropped
   * (`state.queued` is emptied: a view may put it back in the prompt); the next `send` continues
   * the same session. Does nothing when idle.
   */
  interrupt(): Promise<void>;

  /**
   * Optional capabilities: a local session has them all, a remote one what its API offers. The view
   * hides a slash command whose capability is missing.
   */
  readonly commands: SessionCommands;

  /**
   * Ends the controller: a running turn is stopped (recorded as cancelled with `reason`, e.g. "quit
   * by the user"), listeners are dropped, what the controller opened is closed. Idempotent.
   */
  close(reason?: string): Promise<void>;
}

/** What the status line and the cards need besides the events. */
export interface ControllerState {
  /** A turn is running (a message sent now is steering). */
  busy: boolean;
  /** Approvals waiting for an answer, oldest first. */
  approvals: PendingApproval[];
  /** Steering messages sent but not yet delivered (they appear as `user.message` once delivered). */
  queued: string[];
  info: SessionInfo;
  /**
   * What went wrong that no event records (a run that could not start, a model that refused the
   * credentials), one line, until the next `send`.
   */
  error?: string;
  /** A served task that has ended, and how (`succeeded`, `failed`, `cancelled`): it takes no more messages. */
  ended?: string;
}

export interface SessionInfo {
  /** Unset until the first turn of a new session has started. */
  sessionId?: string;
  /** The model the next (or the current) turn uses: `provider:model` or `script:FILE`. */
  model: string;
  /** The model's context window in tokens, when known (for the status line's "context used"). */
  contextWindow?: number;
  /** The policy's name (its file name, or "default"). */
  policy: string;
  /** The sandbox kind (`bubblewrap`, `none`, …), or "remote" when not known. */
  sandbox: string;
  /** The network state in a few words: "no network", "3 hosts", "remote". */
  network: string;
  /** The workspace root (local) or the task's repository (remote). */
  workspace?: string;
  /** True for `warden attach`. */
  remote: boolean;
}

/** An `ask` waiting for a person: what would happen and the rule that asked. */
export interface PendingApproval {
  callId: string;
  /** The tool as the model named it (`shell`, `edit`, `github.create_issue` for MCP). */
  tool: string;
  /** What would happen, in one line (`shell: npm install left-pad`); already redacted. */
  summary: string;
  /** Why the policy asks (the rule). */
  reason: string;
}

/**
 * A command's answer, shown as a block in the conversation. Plain text (may hold ANSI colour the
 * controller added itself, e.g. a coloured diff); the view still cleans it.
 */
export interface CommandOutput {
  /** One line: "Diff since the session started", "Undone: 2 files". */
  title: string;
  text: string;
  /** False for a refusal or a failure the person should notice (shown in the error colour). */
  ok: boolean;
}

/** Slash-command capabilities; each is optional. */
export interface SessionCommands {
  /** /model ID: the model of the next turn (the current one finishes with its own). */
  switchModel?(id: string): Promise<CommandOutput>;
  /** /policy: the one-page summary of the session's policy (as `warden policy explain`). */
  policy?(): Promise<CommandOutput>;
  /** /diff: the session's changes so far against the snapshot taken when it started. */
  diff?(): Promise<CommandOutput>;
  /** /undo: reverts the last turn's file changes from the worktree snapshots, recorded. Idle only. */
  undo?(): Promise<CommandOutput>;
  /** /cost: tokens and cost so far, by model. */
  cost?(): Promise<CommandOutput>;
  /** /compact: compacts the conversation (or says when it will). */
  compact?(): Promise<CommandOutput>;
  /** /sessions: the repository's recorded sessions. */
  sessions?(): Promise<CommandOutput>;
  /** /resume [ID]: switches to another session (its history is replayed to subscribers). */
  resume?(id?: string): Promise<CommandOutput>;
  /** /audit: verifies this session's signed log, as `warden audit verify` does. */
  audit?(): Promise<CommandOutput>;
}
