import { recordBetweenRuns } from '../../agent/between-runs.ts';
import type { EventBody, WardenEvent } from '../../agent/events.ts';
import { launchSession } from '../../agent/launch.ts';
import type { SteeringMessage } from '../../agent/turn-boundary.ts';
import { snapshotWorktree } from '../../broker/worktree-snapshot.ts';
import { isWardenError, messageOf, WardenError } from '../../errors.ts';
import type { ModelClient } from '../../models/types.ts';
import type { ApprovalAnswer, ApprovalRequest, Approver } from '../../policy/approvals.ts';
import { sessionStateOf } from '../../store/session-state.ts';
import type { Checkpoint } from '../../store/session-store.ts';
import { CONFIGURATION_ERRORS } from '../exec.ts';
import type { CommandIo } from '../main.ts';
import { type LocalSetup, networkState } from '../session-setup.ts';
import { ControllerHub } from './controller-hub.ts';
import { localCommands } from './local-commands.ts';
import type { ControllerState, SessionCommands, SessionController } from './session-controller.ts';
import { streaming } from './streaming-model.ts';

export interface LocalControllerOptions {
  setup: LocalSetup;
  io: CommandIo;
  /** Continue this session (id or unique prefix). */
  resume?: string;
  /** Who answers and steers, for the record. */
  from?: string;
}

/** A turn's worktree before and after: what /undo puts back. */
export interface TurnSnapshots {
  before: string;
  after: string;
}

/**
 * `warden chat`'s session: one launchSession run per message, each continuing the session the
 * first one started; approvals wait for the person's answer; messages sent while a run is going
 * are its steering; Esc aborts the run (recorded as cancelled) and the next message resumes.
 * Between runs, /undo and the like are recorded with recordBetweenRuns.
 */
export class LocalController implements SessionController {
  readonly setup: LocalSetup;
  readonly io: CommandIo;
  readonly from: string;
  readonly commands: SessionCommands;
  /** The snapshot when the controller opened: /diff compares against it. */
  start: string | undefined;
  /** Each finished run's worktree before and after, last one last. */
  readonly turns: TurnSnapshots[] = [];
  /** Notes for the model, sent with the next message (what /undo did behind its back). */
  readonly notes: string[] = [];
  #hub: ControllerHub;
  #model: ModelClient;
  #run: Promise<void> | undefined;
  #abort: AbortController | undefined;
  #pending = new Map<string, { request: ApprovalRequest; resolve: (answer: ApprovalAnswer) => void }>();
  /** Records that wait for the run to end (numbering belongs to the run meanwhile). */
  #deferred: EventBody[] = [];
  #lock: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(options: LocalControllerOptions, sessionId: string | undefined) {
    this.setup = options.setup;
    this.io = options.io;
    this.from = options.from ?? 'terminal';
    this.#model = options.setup.model;
    this.#hub = new ControllerHub({
      busy: false,
      approvals: [],
      queued: [],
      info: {
        ...(sessionId ? { sessionId } : {}),
        model: this.#model.info.id,
        contextWindow: this.#model.info.contextWindow,
        policy: options.setup.policyName,
        sandbox: options.setup.parts.sandbox.kind,
        network: networkState(options.setup.policy),
        workspace: options.setup.repo.root,
        remote: false,
      },
    });
    this.commands = this.#oneAtATime(localCommands(this));
  }

  /** Slash commands in progress: a message sent meanwhile waits for them (an /undo restoring files). */
  #commanding = 0;

  /**
   * Each command runs with messages held back: a message typed right after /undo must not start a
   * run while the files are still being put back and the undo is not yet on record.
   */
  #oneAtATime(commands: SessionCommands): SessionCommands {
    const wrapped: Record<string, unknown> = {};
    for (const [name, command] of Object.entries(commands)) {
      if (typeof command !== 'function') continue;
      wrapped[name] = async (...args: unknown[]) => {
        this.#commanding++;
        try {
          return await command(...args);
        } finally {
          this.#commanding--;
          this.#startQueued();
        }
      };
    }
    return wrapped as SessionCommands;
  }

  /** Messages that waited for a run or a command to end become the next run. */
  #startQueued(): void {
    const queued = this.state.queued;
    if (queued.length === 0 || this.#closed || this.state.busy || this.#commanding > 0) return;
    this.#hub.update({ queued: [] });
    this.#startRun(queued.join('\n\n'));
  }

  /** Opens the controller; a resumed session's history is loaded for the first subscriber. */
  static async open(options: LocalControllerOptions): Promise<LocalController> {
    const store = options.setup.parts.store;
    const found = options.resume ? store.find(options.resume) : undefined;
    if (options.resume && !found) {
      throw new WardenError('session.not_found', `no session "${options.resume}" in this repository`, {
        hint: 'list them with: warden sessions list',
      });
    }
    const controller = new LocalController(options, found?.id);
    if (found) controller.#hub.replace(store.events(found.id));
    controller.start = await snapshotWorktree(options.setup.repo.root);
    return controller;
  }

  get state(): ControllerState {
    return this.#hub.state;
  }

  get events(): readonly WardenEvent[] {
    return this.#hub.events;
  }

  get model(): ModelClient {
    return this.#model;
  }

  subscribe(sink: (event: WardenEvent) => void): () => void {
    return this.#hub.subscribe(sink);
  }

  watch(listener: (state: ControllerState) => void): () => void {
    return this.#hub.watch(listener);
  }

  stream(sink: (partial: { turn: number; text: string }) => void): () => void {
    return this.#hub.stream(sink);
  }

  async send(text: string): Promise<void> {
    if (this.#closed) throw new WardenError('session.closed', 'the session is closed');
    if (!text.trim()) return;
    if (this.state.busy || this.#commanding > 0) {
      this.#hub.update({ queued: [...this.state.queued, text] });
      return;
    }
    this.#startRun(text);
  }

  async answer(callId: string, answer: ApprovalAnswer): Promise<void> {
    const pending = this.#pending.get(callId);
    if (!pending) return;
    this.#pending.delete(callId);
    this.#publishApprovals();
    pending.resolve(answer);
  }

  async interrupt(): Promise<void> {
    await this.#stop('interrupted with Esc');
  }

  async close(reason?: string): Promise<void> {
    if (this.#closed) return;
    const running = this.state.busy;
    await this.#stop(reason ?? 'the program ended');
    this.#closed = true;
    // A quit while idle has no run to record it: it is recorded between runs.
    if (reason && !running)
      await this.recordBetween([{ type: 'user.command', command: 'quit', detail: reason, from: this.from }]);
    this.#hub.clear();
  }

  /** Waits for the current run, if any, to end. */
  async idle(): Promise<void> {
    while (this.#run) await this.#run;
  }

  /** Another model for the next run. */
  useModel(model: ModelClient): void {
    this.#model = model;
    this.#hub.update({
      info: { ...this.state.info, model: model.info.id, contextWindow: model.info.contextWindow },
    });
  }

  /** Another session of the repository, its history replayed to the subscribers. */
  switchSession(id: string, events: WardenEvent[]): void {
    this.turns.length = 0;
    this.notes.length = 0;
    this.#hub.update({ info: { ...this.state.info, sessionId: id } });
    this.#hub.replace(events);
  }

  /**
   * Records events of this session now if no run is going, else once the run ends (a run numbers
   * its events itself). Without a session yet there is nothing to record them in.
   */
  async recordBetween(bodies: EventBody[], checkpoint?: (lastSeq: number) => Checkpoint): Promise<void> {
    const sessionId = this.state.info.sessionId;
    if (!sessionId || bodies.length === 0) return;
    if (this.state.busy) {
      if (checkpoint) throw new WardenError('session.busy', 'a turn is running');
      this.#deferred.push(...bodies);
      return;
    }
    const redactor = this.setup.guards.redactor;
    const options = {
      store: sessionStateOf(this.setup.parts.store),
      sessionId,
      audit: this.setup.audit,
      clean: (body: EventBody) => redactor.redactValue(body),
      sinks: [(event: WardenEvent) => this.#hub.emit(event)],
    };
    await this.#exclusive(() => recordBetweenRuns(options, bodies, checkpoint));
  }

  /** Runs and records between them write the session's numbered events one at a time. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#lock.then(work);
    this.#lock = next.catch(() => undefined);
    return next;
  }

  async #stop(reason: string): Promise<void> {
    if (!this.#run) return;
    this.#hub.update({ queued: [] });
    this.#abort?.abort(reason);
    for (const [callId] of this.#pending) await this.answer(callId, 'deny');
    await this.idle();
  }

  #startRun(text: string): void {
    const task = this.notes.length > 0 ? `${this.notes.splice(0).join('\n')}\n\n${text}` : text;
    const abort = new AbortController();
    this.#abort = abort;
    this.#hub.update({ busy: true, error: undefined });
    this.#run = this.#exclusive(() => this.#execute(task, abort.signal)).then(() =>
      this.#settle(abort.signal.aborted),
    );
  }

  async #execute(task: string, signal: AbortSignal): Promise<void> {
    const root = this.setup.repo.root;
    const before = await snapshotWorktree(root);
    const sessionId = this.state.info.sessionId;
    try {
      const { report } = await launchSession({
        ...this.setup.launch,
        task,
        model: streaming(
          this.#model,
          this.setup,
          (partial) => this.#hub.partial(partial),
          () => this.#turn,
        ),
        sinks: [(event) => this.#onEvent(event)],
        approver: this.#approver(signal),
        steering: async () => this.#drainSteering(),
        ...(sessionId ? { resume: sessionId } : {}),
        signal,
      });
      if (report.error && CONFIGURATION_ERRORS.has(report.error.code))
        this.#hub.update({ error: report.error.message });
    } catch (error) {
      this.#hub.update({ error: isWardenError(error) ? error.describe() : messageOf(error) });
    }
    const after = await snapshotWorktree(root);
    if (before && after && before !== after) this.turns.push({ before, after });
  }

  async #settle(interrupted: boolean): Promise<void> {
    this.#run = undefined;
    this.#abort = undefined;
    const deferred = this.#deferred.splice(0);
    this.#hub.update({ busy: false, approvals: [] });
    await this.recordBetween(deferred).catch((error: unknown) =>
      this.#hub.update({ error: messageOf(error) }),
    );
    // Steering that came after the model's last request is the next message.
    if (!interrupted) this.#startQueued();
  }

  #turn = 0;

  #onEvent(event: WardenEvent): void {
    if (event.type === 'model.request') this.#turn = event.turn;
    if (event.type === 'session.started' && !this.state.info.sessionId)
      this.#hub.update({ info: { ...this.state.info, sessionId: event.session } });
    this.#hub.emit(event);
  }

  #drainSteering(): SteeringMessage[] {
    const queued = this.state.queued;
    if (queued.length === 0) return [];
    this.#hub.update({ queued: [] });
    return queued.map((text) => ({ text, from: this.from }));
  }

  #approver(signal: AbortSignal): Approver {
    return {
      by: this.from,
      ask: (request) =>
        new Promise<ApprovalAnswer>((resolve) => {
          if (signal.aborted) return resolve('deny');
          this.#pending.set(request.callId, { request, resolve });
          this.#publishApprovals();
        }),
    };
  }

  #publishApprovals(): void {
    this.#hub.update({ approvals: [...this.#pending.values()].map(({ request }) => ({ ...request })) });
  }
}
