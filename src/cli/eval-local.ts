import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { userCredentials } from '../agent/session-guards.ts';
import { acquireLock } from '../audit/lock.ts';
import { isWardenError, WardenError } from '../errors.ts';
import { createRepositoryCache } from '../eval/repository-cache.ts';
import type { EvalStore } from '../eval/store.ts';
import { createTrialWorker, pendingTrials, trialJobId } from '../eval/trial-worker.ts';
import type { EvalRunRecord, TrialRecord } from '../eval/types.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import { createLocalTaskQueue } from '../server/task-queue.ts';
import { SessionStore } from '../store/session-store.ts';

export interface LocalEvalOptions {
  store: EvalStore;
  /** The evaluations' home: `<dir>/<run id>/` holds each run's sessions, audit logs and workspaces. */
  dir: string;
  policy: CompiledPolicy;
  concurrency: number;
  env: NodeJS.ProcessEnv;
  cwd: string;
  keyDir: string;
  keepWorkspaces?: boolean;
  log: (line: string) => void;
  onResult?: (run: EvalRunRecord, trial: TrialRecord) => void;
  /** Aborting stops the running trials at once; they run again when the run is resumed. */
  signal?: AbortSignal;
}

/**
 * Runs a run's pending trials on this machine, on the same embedded queue `warden serve` uses: at
 * most `concurrency` at once. One process per run (a lock in its directory); trials a dead process
 * left running start over, those with a result are never run again.
 */
export async function runLocally(run: EvalRunRecord, options: LocalEvalOptions): Promise<void> {
  const runDir = join(options.dir, run.id);
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const lock = await acquireLock(join(runDir, 'lock')).catch((error: unknown) => {
    if (isWardenError(error) && error.code === 'audit.locked') {
      throw new WardenError('eval.locked', `evaluation ${run.id} is being run by another process`, {
        where: runDir,
        hint: 'wait for it to finish, or stop it and run: warden eval resume RUN',
      });
    }
    throw error;
  });
  const sessions = SessionStore.open(join(runDir, 'sessions'));
  // Each git URL cloned once for the whole run; every trial fetches its base commit from the clone.
  const cache = createRepositoryCache({
    dir: join(runDir, 'repositories'),
    credentials: userCredentials(options.env),
  });
  const worker = createTrialWorker({
    store: options.store,
    context: async () => ({
      policy: options.policy,
      sessions,
      audit: { dir: join(runDir, 'audit'), keyDir: options.keyDir },
      env: options.env,
      cwd: options.cwd,
      workRoot: join(runDir, 'work'),
      cache,
      keepWorkspaces: options.keepWorkspaces === true,
      log: options.log,
    }),
    log: options.log,
    ...(options.onResult ? { onResult: options.onResult } : {}),
  });
  const onAbort = () => worker.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await options.store.requeueRunning(run.id);
    const pending = pendingTrials(await options.store.trials(run.id));
    if (pending.length === 0) return;
    const queue = createLocalTaskQueue({
      concurrency: options.concurrency,
      teamLimit: async () => options.concurrency,
    });
    let left = pending.length;
    const finished = new Promise<void>((resolve) => {
      queue.start(async (job) => {
        try {
          if (!options.signal?.aborted) await worker.run(job.taskId);
        } finally {
          left -= 1;
          if (left === 0) resolve();
        }
      });
    });
    // Each trial its own "repository" to the queue: trials work in workspaces of their own.
    for (const trial of pending) {
      const taskId = trialJobId(run.id, trial);
      await queue.enqueue({ taskId, team: 'eval', repository: taskId });
    }
    await finished;
    await queue.stop();
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    sessions.close();
    await cache.close();
    await lock.release();
  }
}
