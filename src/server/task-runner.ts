import { join } from 'node:path';
import type { EventSink } from '../agent/events.ts';
import { launchSession } from '../agent/launch.ts';
import type { Limits } from '../agent/limits.ts';
import { policyLimits } from '../agent/policy-settings.ts';
import { openSessionGuards } from '../agent/session-guards.ts';
import { openSessionParts } from '../agent/session-parts.ts';
import type { StopRequest } from '../agent/turn-boundary.ts';
import { isWardenError, messageOf } from '../errors.ts';
import { loadModelConfig, resolveModel } from '../models/index.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import type { SessionStore } from '../store/session-store.ts';
import type { AccountStore } from './account-store.ts';
import { createApiApprover } from './api-approver.ts';
import { budgetExhausted } from './budget.ts';
import type { TaskBus } from './task-bus.ts';
import { type Interruption, type Outcome, outcomeOf } from './task-outcome.ts';
import type { TaskJob } from './task-queue.ts';
import type { TaskLimits, TaskRecord, TaskStatus, TaskStore } from './task-store.ts';
import { createTaskWorkspaces, DEFAULT_CLONE, type TaskWorkspaces } from './task-workspace.ts';

export interface TaskRunnerOptions {
  tasks: TaskStore;
  accounts: AccountStore;
  sessions: SessionStore;
  bus: TaskBus;
  policies: ReadonlyMap<string, CompiledPolicy>;
  audit: { dir: string; keyDir: string };
  env: NodeJS.ProcessEnv;
  /** Where relative script paths resolve; the server's data directory. */
  cwd: string;
  /** Where sessions work; by default a task's repository, or a clone of its URL under `cwd/work`. */
  workspaces?: TaskWorkspaces;
  log: (line: string) => void;
}

export interface TaskRunner {
  run(job: TaskJob): Promise<void>;
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

const MAX_WALL_TIME_MS = 7 * 24 * 3600 * 1000;

export function createTaskRunner(options: TaskRunnerOptions): TaskRunner {
  const { tasks, bus } = options;
  const workspaces =
    options.workspaces ??
    createTaskWorkspaces({
      workRoot: join(options.cwd, 'work'),
      clone: DEFAULT_CLONE,
      env: options.env,
      log: options.log,
    });
  const active = new Map<string, { drain: () => void; interrupt: (why: 'drain') => void }>();

  const settle = async (
    task: TaskRecord,
    from: TaskStatus[],
    outcome: Outcome,
    report?: TaskRecord['report'],
  ) => {
    const terminal = outcome.status !== 'queued';
    await tasks.transition(task.id, from, outcome.status, {
      ...(terminal ? { finishedAt: new Date().toISOString() } : {}),
      // A run the server interrupted has no final report: the task goes on after a restart.
      ...(report && terminal ? { report } : {}),
      ...(outcome.error ? { error: outcome.error } : {}),
    });
    await tasks.expireApprovals(task.id);
    bus.publish(task.id, { kind: 'status', status: outcome.status });
    await workspaces.release(task, outcome.status);
  };

  async function run(job: TaskJob): Promise<void> {
    const task = await tasks.getTask(job.taskId);
    if (task?.status !== 'queued') return;
    const team = await options.accounts.getTeam(task.team);
    const exhausted = team && budgetExhausted(team, await tasks.teamSpend(task.team));
    if (exhausted) {
      await settle(task, ['queued'], {
        status: 'failed',
        error: { code: 'budget.exhausted', message: exhausted },
      });
      return;
    }
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
    const started = await tasks.transition(task.id, ['queued'], 'running', {
      startedAt: task.startedAt ?? new Date().toISOString(),
      runs: task.runs + 1,
    });
    if (!started) {
      unsubscribe();
      return;
    }
    bus.publish(task.id, { kind: 'status', status: 'running' });
    active.set(task.id, {
      drain: () => {
        draining = true;
      },
      interrupt: stopNow,
    });
    try {
      const report = await launch(task, abort.signal, () => draining);
      if (draining && report.status === 'cancelled') interruption ??= 'drain';
      await settle(task, ['running', 'waiting_approval'], outcomeOf(report, interruption), report);
    } catch (error) {
      options.log(`task ${task.id} failed to run: ${messageOf(error)}`);
      const failure = isWardenError(error)
        ? { code: error.code, message: error.describe() }
        : { code: 'task.error', message: messageOf(error) };
      const outcome: Outcome =
        interruption === 'drain'
          ? { status: 'queued', error: undefined }
          : interruption === 'cancel'
            ? { status: 'cancelled', error: undefined }
            : { status: 'failed', error: failure };
      await settle(task, ['running', 'waiting_approval'], outcome);
    } finally {
      unsubscribe();
      active.delete(task.id);
    }
  }

  async function launch(task: TaskRecord, signal: AbortSignal, draining: () => boolean) {
    const policy = options.policies.get(task.policy);
    if (!policy) throw new Error(`the server has no policy named "${task.policy}" any more`);
    const root = await workspaces.open(task, signal);
    const model = resolveModel(task.model, {
      config: loadModelConfig(root, { env: options.env }),
      env: options.env,
      cwd: options.cwd,
    });
    const resuming = options.sessions.get(task.id) !== undefined;
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
      const guards = await openSessionGuards({ root, policy, env: options.env });
      const { report } = await launchSession({
        task: resuming ? RESUME_NOTE : task.instruction,
        ...(resuming ? { resume: task.id } : { sessionId: task.id }),
        model,
        workspace: parts.workspace,
        sandbox: parts.sandbox,
        store: options.sessions,
        sinks: [sink],
        limits: taskLimits(policy, task.limits),
        policy,
        approver: createApiApprover({
          store: tasks,
          bus,
          task,
          signal,
          onWaiting: async (waiting) => {
            const [from, to]: TaskStatus[] = waiting
              ? ['running', 'waiting_approval']
              : ['waiting_approval', 'running'];
            if (await tasks.transition(task.id, [from as TaskStatus], to as TaskStatus)) {
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
      return report;
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

/** The client's limits over the policy's over Warden's defaults. */
export function taskLimits(policy: CompiledPolicy, limits: TaskLimits): Partial<Limits> {
  return {
    ...policyLimits(policy),
    ...(limits.turns === undefined ? {} : { maxTurns: limits.turns }),
    ...(limits.tokens === undefined ? {} : { maxTokens: limits.tokens }),
    ...(limits.cost === undefined ? {} : { maxCost: limits.cost }),
    ...(limits.wallTimeSeconds === undefined
      ? {}
      : { maxWallTimeMs: Math.min(limits.wallTimeSeconds * 1000, MAX_WALL_TIME_MS) }),
  };
}
