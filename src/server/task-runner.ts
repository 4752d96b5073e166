import type { EventSink, Report, WardenEvent } from '../agent/events.ts';
import { launchSession } from '../agent/launch.ts';
import { DEFAULT_LIMITS, type Limits } from '../agent/limits.ts';
import { policyLimits } from '../agent/policy-settings.ts';
import { openSessionGuards } from '../agent/session-guards.ts';
import { openSessionParts } from '../agent/session-parts.ts';
import type { StopRequest } from '../agent/turn-boundary.ts';
import type { AuditKeys } from '../audit/audit-keys.ts';
import type { OpenAuditStorage } from '../audit/index.ts';
import { isWardenError, messageOf } from '../errors.ts';
import type { McpServerConfig } from '../mcp/config.ts';
import { loadModelConfig, resolveModel } from '../models/index.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import type { SessionState } from '../store/session-state.ts';
import type { AccountStore } from './account-store.ts';
import { createApiApprover } from './api-approver.ts';
import { budgetExhausted } from './budget.ts';
import type { TaskBus } from './task-bus.ts';
import { type Interruption, type Outcome, outcomeOf } from './task-outcome.ts';
import type { TaskJob } from './task-queue.ts';
import {
  type TaskLimits,
  type TaskRecord,
  type TaskStatus,
  type TaskStore,
  TERMINAL_STATUSES,
} from './task-store.ts';
import { type TaskWorkspaces, taskJob } from './task-workspace.ts';

export interface TaskRunnerOptions {
  tasks: TaskStore;
  accounts: AccountStore;
  sessions: SessionState;
  bus: TaskBus;
  policies: ReadonlyMap<string, CompiledPolicy>;
  /** With `storage`, audit logs are kept there (the shared database) rather than under `dir`. */
  audit: { dir: string; keyDir: string; keys?: AuditKeys; storage?: OpenAuditStorage };
  env: NodeJS.ProcessEnv;
  /** Where relative script paths resolve; the server's data directory. */
  cwd: string;
  /** Where sessions work: a task's repository (admitted again each run), or a clone of its URL. */
  workspaces: TaskWorkspaces;
  log: (line: string) => void;
  /**
   * A team's limit on running tasks, checked in the same statement that starts one: the queue of
   * many workers schedules by it too, but two workers claiming at one instant could both fit.
   */
  teamLimit?: (team: string) => Promise<number>;
  /**
   * Hands a job back to a queue that other workers take from: a task this worker drained, or one
   * that must wait for its team. Unset where a restart of the one process re-queues (recovery).
   */
  requeue?: (job: TaskJob, afterSeconds?: number) => Promise<void>;
  /** MCP servers of server.yaml (beside the server user's own), and where their tools' pins are kept. */
  mcp?: { servers?: McpServerConfig[]; pinFile: string };
  /** Where a task came from acts around its run (the GitHub App: material, check runs, the pull request). */
  hooks?: TaskHooks;
}

/** What the source of a task does around its runs; every hook is optional and only sees its own tasks. */
export interface TaskHooks {
  /** Untrusted text the task is about (an issue, a comment), handed to a new session as data. */
  material?(task: TaskRecord): Promise<Array<{ source: string; content: string }>>;
  /** The run has its work tree and is about to start its session. */
  started?(task: TaskRecord, root: string): Promise<void>;
  /** Every event of the session, as it happens; must not throw or block. */
  event?(task: TaskRecord, event: WardenEvent): void;
  /** The task ended with a report; its work tree is still there (released after this). */
  finished?(task: TaskRecord, run: { report: Report; root: string; status: TaskStatus }): Promise<void>;
  /** The run failed before it had a report. */
  failed?(task: TaskRecord, error: { code: string; message: string }): Promise<void>;
}

export interface TaskRunner {
  /** `lost` aborts when the queue gave the job to another worker; this run then stops. */
  run(job: TaskJob, lost?: AbortSignal): Promise<void>;
  /**
   * Shutdown: every running task stops at its next turn boundary (checkpoint written) and goes back
   * to the queue; those still busy after `graceMs` (a long command, a parked approval) are
   * interrupted as Ctrl-C would.
   */
  drain(graceMs: number): void;
}

/** Said to the model when a task resumes after the server stopped under it. */
export const RESUME_NOTE =
  'The server running this task restarted; the conversation so far was restored from its last checkpoint. Continue the task where it stopped.';

export function createTaskRunner(options: TaskRunnerOptions): TaskRunner {
  const { tasks, bus } = options;
  const { workspaces } = options;
  const active = new Map<string, { drain: () => void; interrupt: (why: 'drain') => void }>();

  /** Only while the task is still in run `runs`: a worker that lost it cannot overwrite its successor. */
  const settle = async (
    task: TaskRecord,
    from: TaskStatus[],
    runs: number,
    outcome: Outcome,
    report?: TaskRecord['report'],
  ): Promise<boolean> => {
    const terminal = outcome.status !== 'queued';
    const moved = await tasks.transition(
      task.id,
      from,
      outcome.status,
      {
        ...(terminal ? { finishedAt: new Date().toISOString() } : {}),
        // A run the server interrupted has no final report: the task goes on after a restart.
        ...(report && terminal ? { report } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
      },
      { runs },
    );
    if (!moved) return false;
    await tasks.expireApprovals(task.id);
    bus.publish(task.id, { kind: 'status', status: outcome.status });
    await workspaces.release(task, outcome.status);
    return true;
  };

  async function run(job: TaskJob, lost?: AbortSignal): Promise<void> {
    const task = await tasks.getTask(job.taskId);
    if (job.givenUp) {
      if (task && !TERMINAL_STATUSES.has(task.status)) {
        const message = 'the task was given up: the workers running it kept dying (or failing) under it';
        options.log(`task ${task.id}: ${message}`);
        await settle(task, [task.status], task.runs, {
          status: 'failed',
          error: { code: 'task.given_up', message },
        });
      }
      return;
    }
    // A job handed out again after its worker went silent takes over the run that worker left.
    const from: TaskStatus[] = job.takeover ? ['queued', 'running', 'waiting_approval'] : ['queued'];
    if (!task || !from.includes(task.status)) return;
    const team = await options.accounts.getTeam(task.team);
    const exhausted = team && budgetExhausted(team, await tasks.teamSpend(task.team));
    if (exhausted) {
      await settle(task, from, task.runs, {
        status: 'failed',
        error: { code: 'budget.exhausted', message: exhausted },
      });
      return;
    }
    // Questions the silent worker's run had open can no longer be answered; the resumed run asks again.
    if (task.status !== 'queued') await tasks.expireApprovals(task.id);
    const abort = new AbortController();
    let draining = false;
    let interruption: Interruption;
    const stopNow = (why: Exclude<Interruption, undefined>) => {
      interruption ??= why;
      abort.abort(new Error(why));
    };
    // Listening before the task is marked running: a cancel in between must not be missed.
    const unsubscribe = bus.subscribe(task.id, (notice) => {
      if (notice.kind === 'cancel') stopNow('cancel');
    });
    const teamLimit = task.status === 'queued' ? await options.teamLimit?.(task.team) : undefined;
    const runs = task.runs + 1;
    const started = await tasks.transition(
      task.id,
      from,
      'running',
      { startedAt: task.startedAt ?? new Date().toISOString(), runs },
      { runs: task.runs, ...(teamLimit === undefined ? {} : { teamLimit }) },
    );
    if (!started) {
      unsubscribe();
      // Still queued: its team was full after all (another worker started one at the same instant).
      if (teamLimit !== undefined && (await tasks.getTask(task.id))?.status === 'queued') {
        await options.requeue?.({ ...job, runs: task.runs, takeover: false }, 2);
      }
      return;
    }
    options.log(
      `task ${task.id}: run ${runs} started${task.status === 'queued' ? '' : ', taking over from a worker that went silent'}`,
    );
    let lostIt = false;
    const onLost = () => {
      lostIt = true;
      options.log(`task ${task.id}: another worker took it over; stopping this run`);
      stopNow('drain');
    };
    lost?.addEventListener('abort', onLost, { once: true });
    bus.publish(task.id, { kind: 'status', status: 'running' });
    active.set(task.id, {
      drain: () => {
        draining = true;
      },
      interrupt: stopNow,
    });
    let outcome: Outcome | undefined;
    try {
      const { report, root } = await launch(task, runs, abort.signal, () => draining);
      if (draining && report.status === 'cancelled') interruption ??= 'drain';
      outcome = outcomeOf(report, interruption);
      if (outcome.status !== 'queued')
        await hook('finished', () =>
          options.hooks?.finished?.(task, { report, root, status: outcome?.status as TaskStatus }),
        );
      await settle(task, ['running', 'waiting_approval'], runs, outcome, report);
    } catch (error) {
      options.log(`task ${task.id} failed to run: ${messageOf(error)}`);
      const failure = isWardenError(error)
        ? { code: error.code, message: error.describe() }
        : { code: 'task.error', message: messageOf(error) };
      outcome =
        interruption === 'drain'
          ? { status: 'queued', error: undefined }
          : interruption === 'cancel'
            ? { status: 'cancelled', error: undefined }
            : { status: 'failed', error: failure };
      if (outcome.status !== 'queued') await hook('failed', () => options.hooks?.failed?.(task, failure));
      await settle(task, ['running', 'waiting_approval'], runs, outcome);
    } finally {
      unsubscribe();
      lost?.removeEventListener('abort', onLost);
      active.delete(task.id);
    }
    // Drained: back to the queue for another worker. A lost run is already the queue's again.
    if (outcome?.status === 'queued' && !lostIt) {
      await options.requeue?.({ ...taskJob(task), runs });
    }
  }

  /** A hook's failure is logged, never the task's: its session's work is done and recorded. */
  async function hook(name: string, call: () => Promise<void> | undefined): Promise<void> {
    try {
      await call();
    } catch (error) {
      options.log(`task hook ${name} failed: ${messageOf(error)}`);
    }
  }

  async function launch(task: TaskRecord, runs: number, signal: AbortSignal, draining: () => boolean) {
    const policy = options.policies.get(task.policy);
    if (!policy) throw new Error(`the server has no policy named "${task.policy}" any more`);
    const root = await workspaces.open(task, signal);
    const model = resolveModel(task.model, {
      config: loadModelConfig(root, { env: options.env }),
      env: options.env,
      cwd: options.cwd,
    });
    const resuming = (await options.sessions.get(task.id)) !== undefined;
    const parts = await openSessionParts(root, policy, { store: options.sessions });
    // Spend is written as each turn's answer arrives; a stop check waits for those writes first.
    let spendWritten: Promise<void> = Promise.resolve();
    const sink: EventSink = (event) => {
      if (event.type === 'model.response') {
        const spend = {
          tokens: event.usage.inputTokens + event.usage.outputTokens,
          cost: event.cost ?? 0,
        };
        spendWritten = spendWritten
          .then(() => tasks.addSpend(task.id, spend))
          .catch((error) => options.log(`task ${task.id}: spend not recorded: ${messageOf(error)}`));
      }
      bus.publish(task.id, { kind: 'event', event });
      options.hooks?.event?.(task, event);
    };
    const stopBefore = async (): Promise<StopRequest | undefined> => {
      await spendWritten;
      if (draining()) {
        return {
          status: 'cancelled',
          reason: 'the server is shutting down; the task resumes when it starts again',
        };
      }
      const team = await options.accounts.getTeam(task.team);
      const exhausted = team && budgetExhausted(team, await tasks.teamSpend(task.team));
      return exhausted
        ? { status: 'failed', reason: exhausted, error: { code: 'budget.exhausted', message: exhausted } }
        : undefined;
    };
    try {
      // The same guards as `warden exec`: a server session is built with no fewer of them.
      const guards = await openSessionGuards({
        root,
        policy,
        env: options.env,
        sandbox: parts,
        ...(options.mcp ? { mcp: options.mcp } : {}),
      });
      await hook('started', () => options.hooks?.started?.(task, root));
      const material = resuming ? [] : ((await options.hooks?.material?.(task)) ?? []);
      const { report } = await launchSession({
        task: resuming ? RESUME_NOTE : task.instruction,
        ...(material.length > 0 ? { material } : {}),
        ...(resuming ? { resume: task.id } : { sessionId: task.id }),
        model,
        workspace: parts.workspace,
        sandbox: parts.sandbox,
        store: options.sessions,
        sinks: [sink],
        limits: taskLimits(policy, task.limits),
        // The policy is the guards' (launch.policy): this one, with files holding known secrets asked about.
        approver: createApiApprover({
          store: tasks,
          bus,
          task,
          signal,
          onWaiting: async (waiting) => {
            const [from, to]: TaskStatus[] = waiting
              ? ['running', 'waiting_approval']
              : ['waiting_approval', 'running'];
            if (await tasks.transition(task.id, [from as TaskStatus], to as TaskStatus, {}, { runs })) {
              bus.publish(task.id, { kind: 'status', status: to as TaskStatus });
            }
          },
        }),
        ...(parts.network ? { network: parts.network } : {}),
        ...guards.launch,
        audit: options.audit,
        signal,
        steering: async () => (await tasks.takeSteering(task.id)).map(({ text, from }) => ({ text, from })),
        stopBefore,
      });
      await spendWritten;
      return { report, root };
    } finally {
      await parts.close();
    }
  }

  return {
    run,
    drain(graceMs) {
      for (const entry of active.values()) entry.drain();
      const timer = setTimeout(() => {
        for (const entry of active.values()) entry.interrupt('drain');
      }, graceMs);
      timer.unref();
    },
  };
}

/**
 * The policy's limits (Warden's defaults where it sets none) are ceilings: a client's limits can
 * only tighten them, since whoever may create a task is not whoever wrote the policy.
 */
export function taskLimits(policy: CompiledPolicy, limits: TaskLimits): Limits {
  const ceiling: Limits = { ...DEFAULT_LIMITS, ...policyLimits(policy) };
  const tighter = (max: number, asked: number | undefined) =>
    asked === undefined ? max : Math.min(max, asked);
  return {
    maxTurns: tighter(ceiling.maxTurns, limits.turns),
    maxTokens: tighter(ceiling.maxTokens, limits.tokens),
    maxCost: tighter(ceiling.maxCost, limits.cost),
    maxWallTimeMs: tighter(
      ceiling.maxWallTimeMs,
      limits.wallTimeSeconds === undefined ? undefined : limits.wallTimeSeconds * 1000,
    ),
  };
}
