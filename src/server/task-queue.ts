/** A task waiting for a worker: ids only, so the job can travel through any queue. */
export interface TaskJob {
  taskId: string;
  team: string;
  repository: string;
  /** Runs the task had when this job was queued: names the job, so queuing one twice is harmless. */
  runs?: number;
  /**
   * Set by a queue that hands out a job again after the worker holding it went silent (kill -9, a
   * lost machine): the task is still marked running, and this worker takes it over.
   */
  takeover?: boolean;
  /** The queue gave the task up: it lost too many workers (or its handler kept failing). */
  givenUp?: boolean;
}

/**
 * Hands queued tasks to the workers that run them. The in-process queue below is the default;
 * a PostgreSQL queue (pg-boss) shared by many `warden worker`s implements the same interface.
 */
export interface TaskQueue {
  /** `afterSeconds`: not before then (a queue across machines; the local one takes it at once). */
  enqueue(job: TaskJob, options?: { afterSeconds?: number }): Promise<void>;
  /**
   * Starts handing jobs to `run`, within the limits; a job counts as active until `run` settles.
   * `lost` aborts when the queue gave the job to another worker (this one was presumed dead).
   */
  start(run: (job: TaskJob, lost?: AbortSignal) => Promise<void>): void;
  /** Stops handing out jobs: those not started stay queued. Resolves when every active job returned. */
  stop(): Promise<void>;
  readonly active: number;
}

export interface LocalQueueOptions {
  /** Jobs active at once in this process. */
  concurrency: number;
  /** Jobs of one team active at once. */
  teamLimit: (team: string) => Promise<number>;
}

/**
 * FIFO with limits: the oldest job whose team is under its limit and whose repository is free goes
 * next. One task per repository tree at a time, because two agents editing one work tree would each
 * see the other's half-made changes as their own; a repository nested in another's tree counts as
 * the same tree, or the outer task's agent could swap the inner one's directory under it.
 */
export function createLocalTaskQueue(options: LocalQueueOptions): TaskQueue {
  const waiting: TaskJob[] = [];
  const running = new Set<Promise<void>>();
  const teams = new Map<string, number>();
  const repositories = new Set<string>();
  let run: ((job: TaskJob) => Promise<void>) | undefined;
  let stopped = false;
  let pumping = false;
  let again = false;

  const pump = async (): Promise<void> => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (run && !stopped && running.size < options.concurrency) {
          const next = await pick();
          if (!next) break;
          launch(next, run);
        }
      } while (again);
    } finally {
      pumping = false;
    }
  };

  const pick = async (): Promise<TaskJob | undefined> => {
    for (const [index, job] of waiting.entries()) {
      if ([...repositories].some((busy) => overlaps(busy, job.repository))) continue;
      if ((teams.get(job.team) ?? 0) >= (await options.teamLimit(job.team))) continue;
      waiting.splice(index, 1);
      return job;
    }
    return undefined;
  };

  const launch = (job: TaskJob, handler: (job: TaskJob) => Promise<void>): void => {
    teams.set(job.team, (teams.get(job.team) ?? 0) + 1);
    repositories.add(job.repository);
    const done: Promise<void> = handler(job)
      .catch(() => undefined)
      .finally(() => {
        running.delete(done);
        teams.set(job.team, (teams.get(job.team) ?? 1) - 1);
        repositories.delete(job.repository);
        void pump();
      });
    running.add(done);
  };

  return {
    async enqueue(job) {
      if (waiting.some((w) => w.taskId === job.taskId)) return;
      waiting.push(job);
      await pump();
    },
    start(handler) {
      run = handler;
      void pump();
    },
    async stop() {
      stopped = true;
      while (running.size > 0) await Promise.all([...running]);
    },
    get active() {
      return running.size;
    },
  };
}

/** Whether one repository lies in the other's tree (or is it). */
export function overlaps(a: string, b: string): boolean {
  const within = (outer: string, inner: string) =>
    inner === outer || inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`);
  return within(a, b) || within(b, a);
}
