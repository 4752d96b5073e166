import { createHash } from 'node:crypto';
import { closeAbandonedSession } from '../agent/abandon-session.ts';
import { isWardenError, messageOf } from '../errors.ts';
import type { EvalStore } from './store.ts';
import { errorResult, runTrial, type TrialContext } from './trial.ts';
import type { EvalInstance, EvalRunRecord, TrialKey, TrialRecord } from './types.ts';

/** A trial as a queue carries it (`TaskJob.taskId`): the run, the contestant, the repeat, the instance. */
export function trialJobId(runId: string, key: TrialKey): string {
  return `${runId}/${key.contestant}/${key.repeat}/${key.instanceId}`;
}

export function parseTrialJobId(id: string): { runId: string; key: TrialKey } | undefined {
  const match = /^(e[\w-]+)\/(\d+)\/(\d+)\/(.+)$/s.exec(id);
  if (!match) return undefined;
  const [, runId = '', contestant = '', repeat = '', instanceId = ''] = match;
  return { runId, key: { instanceId, contestant: Number(contestant), repeat: Number(repeat) } };
}

export function isTrialJobId(id: string): boolean {
  return parseTrialJobId(id) !== undefined;
}

/**
 * The trials still to run, in the order that is fair to every contestant: a repeat at a time, and
 * within it each instance by every contestant in turn — so an outage or a spent budget partway
 * through falls on all of them alike, not on whoever came last.
 */
export function pendingTrials(trials: TrialRecord[]): TrialRecord[] {
  return trials
    .filter((trial) => trial.status !== 'done')
    .sort(
      (a, b) =>
        a.repeat - b.repeat ||
        (a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0) ||
        a.contestant - b.contestant,
    );
}

/**
 * A trial's directory: readable, and unique — two instance ids that read alike once cleaned (`a b`,
 * `a_b`, `a:b`, or long ids alike at the start) must not share one, so the job id's digest ends it.
 */
export function trialDirName(taskId: string, attempt: number): string {
  const readable = taskId.replace(/[^\w.-]+/g, '_').slice(0, 80);
  const digest = createHash('sha256').update(taskId).digest('hex').slice(0, 16);
  return `${readable}-${digest}-${attempt}`;
}

export interface TrialWorker {
  /** Runs one trial job to its stored result; a trial already done is skipped. `lost` stops it unrecorded. */
  run(taskId: string, lost?: AbortSignal): Promise<void>;
  /** Stops every running trial now; they stay `running`, and go back to the queue when resumed. */
  stop(): void;
}

/**
 * Runs trials from any queue: looks the trial up, counts the attempt, runs it, stores the result
 * once. A trial stopped halfway (a kill, a drain, a lost worker) stores nothing and runs again from
 * a fresh workspace: a contestant restarted mid-task is not the experiment the run asked for.
 */
export function createTrialWorker(options: {
  store: EvalStore;
  context: (run: EvalRunRecord) => Promise<TrialContext>;
  log: (line: string) => void;
  /**
   * Asked before each trial starts: a reason it may not (its team's budget is spent) makes the
   * trial an `error` saying so, without running it.
   */
  admit?: (run: EvalRunRecord) => Promise<string | undefined>;
  /** Told of each stored result (the CLI prints progress). */
  onResult?: (run: EvalRunRecord, trial: TrialRecord) => void;
}): TrialWorker {
  const { store } = options;
  const instances = new Map<string, Promise<EvalInstance[]>>();
  const running = new Set<AbortController>();
  return {
    async run(taskId, lost) {
      const parsed = parseTrialJobId(taskId);
      if (!parsed) return;
      const { runId, key } = parsed;
      const run = await store.getRun(runId);
      if (!run) return options.log(`trial ${taskId}: its run is gone`);
      if (!instances.has(runId)) instances.set(runId, store.instances(runId));
      const instance = (await instances.get(runId))?.find((candidate) => candidate.id === key.instanceId);
      const contestant = run.contestants[key.contestant];
      if (!instance || !contestant) return options.log(`trial ${taskId}: not in its run`);
      const started = await store.startTrial(runId, key);
      if (started === undefined) return;
      const { attempt } = started;
      options.log(`trial ${taskId}: started${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
      const refused = await options.admit?.(run);
      if (refused !== undefined) {
        options.log(`trial ${taskId}: not run: ${refused}`);
        await store.finishTrial(runId, key, errorResult(`not run: ${refused}`, Date.now()));
        return;
      }
      const abort = new AbortController();
      const stop = () => abort.abort(new Error('the trial was stopped'));
      lost?.addEventListener('abort', stop, { once: true });
      running.add(abort);
      try {
        const context = await options.context(run);
        if (started.abandonedSession !== undefined) {
          // The earlier attempt's session stopped with its process: ended and signed, so its log verifies.
          await closeAbandonedSession({
            store: context.sessions,
            audit: context.audit,
            sessionId: started.abandonedSession,
            reason: 'the trial stopped with its process and was started over in a fresh workspace',
          });
        }
        const result = await runTrial(
          context,
          instance,
          contestant,
          trialDirName(taskId, attempt),
          abort.signal,
          (id) => store.noteSession(runId, key, id),
        );
        if (abort.signal.aborted) return;
        if (await store.finishTrial(runId, key, result)) {
          options.onResult?.(run, {
            ...key,
            runId,
            status: 'done',
            attempts: attempt,
            result,
            startedAt: undefined,
            finishedAt: new Date().toISOString(),
          });
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        // Not the contestant's doing (the run's policy changed, the store failed): recorded as an error.
        const message = isWardenError(error) ? error.describe() : messageOf(error);
        options.log(`trial ${taskId}: ${message}`);
        await store.finishTrial(runId, key, errorResult(message, Date.now())).catch(() => undefined);
      } finally {
        lost?.removeEventListener('abort', stop);
        running.delete(abort);
      }
    },
    stop() {
      for (const abort of running) abort.abort(new Error('the evaluation was stopped'));
    },
  };
}
