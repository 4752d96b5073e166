import { join } from 'node:path';
import { userCredentials } from '../agent/session-guards.ts';
import { WardenError } from '../errors.ts';
import { policyDigest } from '../eval/policy-digest.ts';
import { createRepositoryCache } from '../eval/repository-cache.ts';
import type { TrialContext } from '../eval/trial.ts';
import {
  createTrialWorker,
  isTrialJobId,
  parseTrialJobId,
  pendingTrials,
  trialJobId,
} from '../eval/trial-worker.ts';
import type { EvalRunRecord } from '../eval/types.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import type { Backend } from './backend.ts';
import { budgetExhausted } from './budget.ts';
import type { TaskJob, TaskQueue } from './task-queue.ts';

export interface ServerTrials {
  /** Runs a job from the queue: an evaluation's trial here, any other job by `tasks`. */
  dispatch(
    tasks: (job: TaskJob, lost?: AbortSignal) => Promise<void>,
  ): (job: TaskJob, lost?: AbortSignal) => Promise<void>;
  /** Shutdown: running trials stop now and run again from the start (on a queue of many workers, elsewhere). */
  drain(): void;
  /** Removes this process's clones, once no trial runs. */
  close(): Promise<void>;
}

/** The job of one trial: its run's team, and a "repository" of its own (each trial has its own workspace). */
export function trialJob(run: EvalRunRecord, taskId: string): TaskJob {
  return { taskId, team: run.team ?? 'default', repository: `eval:${taskId}` };
}

/** Puts every trial of a run that is not done on the queue (a new run, or runs a restart left unfinished). */
export async function enqueueTrials(
  backend: Pick<Backend, 'evals'>,
  queue: TaskQueue,
  run: EvalRunRecord,
): Promise<number> {
  await backend.evals.requeueRunning(run.id);
  const pending = pendingTrials(await backend.evals.trials(run.id));
  for (const trial of pending) await queue.enqueue(trialJob(run, trialJobId(run.id, trial)));
  return pending.length;
}

/**
 * Trials of `warden eval run --server` on the server's own queue, beside tasks: run by `warden
 * serve` and every `warden worker`, their contestants' sessions and audit logs in the server's
 * stores, under the server's policy the run names (refused if it changed since the run began).
 */
export function createServerTrials(options: {
  backend: Backend;
  policies: ReadonlyMap<string, CompiledPolicy>;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}): ServerTrials {
  const { backend, dataDir } = options;
  // This process's own clones (a private temporary directory): a worker sharing the data directory
  // must not remove a clone another process is fetching from.
  const cache = createRepositoryCache({ credentials: userCredentials(options.env) });
  let draining = false;
  const worker = createTrialWorker({
    store: backend.evals,
    log: options.log,
    // The team's budget holds for trials as for tasks: checked before each one, spent by each one.
    admit: async (run) => {
      const team = await backend.accounts.getTeam(run.team ?? 'default');
      return team ? budgetExhausted(team, await backend.tasks.teamSpend(team.id)) : undefined;
    },
    context: async (run): Promise<TrialContext> => {
      const policy = options.policies.get(run.policy.name);
      if (!policy || policyDigest(policy) !== run.policy.digest) {
        throw new WardenError(
          'eval.policy_changed',
          `the policy "${run.policy.name}" of ${run.id} changed since the run began`,
          {
            hint: "restore it in the server's config, or start a new run",
          },
        );
      }
      return {
        policy,
        sessions: backend.sessions,
        audit: backend.audit,
        env: options.env,
        cwd: dataDir,
        workRoot: join(dataDir, 'eval-work'),
        cache,
        log: options.log,
      };
    },
  });
  return {
    dispatch: (tasks) => async (job, lost) => {
      if (!isTrialJobId(job.taskId)) return tasks(job, lost);
      await worker.run(job.taskId, lost);
      // Stopped by a drain on a shared queue: back on it for another worker (a lost job already is).
      const parsed = parseTrialJobId(job.taskId);
      if (!draining || lost?.aborted || !backend.requeue || !parsed) return;
      const trial = (await backend.evals.trials(parsed.runId)).find(
        (candidate) =>
          candidate.instanceId === parsed.key.instanceId &&
          candidate.contestant === parsed.key.contestant &&
          candidate.repeat === parsed.key.repeat,
      );
      if (trial && trial.status !== 'done') await backend.requeue({ ...job, takeover: false });
    },
    drain() {
      draining = true;
      worker.stop();
    },
    close: () => cache.close(),
  };
}
