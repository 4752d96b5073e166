import { createHash } from 'node:crypto';
import { PgBoss } from 'pg-boss';
import { messageOf } from '../errors.ts';
import { pgConnection } from '../store/pg-tls.ts';
import type { TaskJob, TaskQueue } from './task-queue.ts';

/** How the queue detects a dead worker; the defaults suit production, tests shorten them. */
export interface QueueTiming {
  /** A job whose worker has not touched it for this long is handed to another worker (>= 10). */
  heartbeatSeconds: number;
  /** How often an idle worker looks for jobs, besides being woken by new ones (>= 0.5). */
  pollSeconds: number;
  /** How often lapsed heartbeats are looked for (>= 1). */
  superviseSeconds: number;
  /** Workers a task may lose (or handler failures) before it is given up as failed. */
  retryLimit: number;
}

export interface PgQueueOptions {
  url: string;
  /** Jobs this process runs at once; 0 for a process that only queues (an API-only server). */
  concurrency: number;
  /** Only this team's tasks, from a queue of its own; undefined for the shared queue. */
  team?: string;
  /** A team's own limit on tasks running at once, across every worker; undefined for the default. */
  teamLimit: (team: string) => Promise<number | undefined>;
  /** The limit of a team without its own. */
  defaultTeamLimit: number;
  timing: QueueTiming;
  log: (line: string) => void;
}

export interface PgTaskQueue extends TaskQueue {
  close(): Promise<void>;
}

export const SHARED_QUEUE = 'warden-tasks';
/** Where pg-boss moves a job out of retries; a worker then marks its task failed. */
const GIVEN_UP_QUEUE = 'warden-tasks-given-up';
/** Team limits travel with each job as its group tier: "1" … "256". */
const MAX_TIER = 256;
const TIERS = Object.fromEntries(Array.from({ length: MAX_TIER }, (_, i) => [String(i + 1), i + 1]));

export function teamQueue(team: string): string {
  return `${SHARED_QUEUE}.${team}`;
}

export function queueTiming(env: NodeJS.ProcessEnv): QueueTiming {
  const number = (name: string, fallback: number, min: number) => {
    const value = Number(env[name] ?? fallback);
    return Number.isFinite(value) && value >= min ? value : fallback;
  };
  const heartbeatSeconds = Math.round(number('WARDEN_QUEUE_HEARTBEAT_SECONDS', 30, 10));
  return {
    heartbeatSeconds,
    pollSeconds: number('WARDEN_QUEUE_POLL_SECONDS', 2, 0.5),
    superviseSeconds: Math.round(
      number('WARDEN_QUEUE_SUPERVISE_SECONDS', Math.max(1, heartbeatSeconds / 5), 1),
    ),
    retryLimit: Math.round(number('WARDEN_QUEUE_RETRY_LIMIT', 20, 0)),
  };
}

/**
 * The task queue in PostgreSQL, on pg-boss, shared by the API and every `warden worker`:
 * - one task per repository at a time: a `singleton` queue keyed by the repository;
 * - a team's limit across all workers: pg-boss group concurrency, the group being the team;
 * - a worker's own limit: the number of jobs it works at once;
 * - a worker that dies (kill -9, a lost machine) stops heartbeating its jobs, and pg-boss hands
 *   them to another worker once `heartbeatSeconds` have passed; that run takes the task over and
 *   resumes it from its checkpoint. A claim that lapsed while its worker was merely slow is
 *   reported to that worker (`lost`), which stops.
 * A team with workers of its own (`warden worker --team T`) gets a queue of its own, created by
 * those workers; its tasks go there from then on, and only they run them.
 */
export async function openPgTaskQueue(options: PgQueueOptions): Promise<PgTaskQueue> {
  const { timing, log } = options;
  const boss = new PgBoss({
    // TLS as the pool has it: pg-boss hands these to pg, which would otherwise read the URL its own way.
    ...pgConnection(options.url),
    max: Math.max(4, Math.min(options.concurrency + 2, 20)),
    application_name: options.concurrency > 0 ? 'warden worker queue' : 'warden api queue',
    useListenNotify: true,
    schedule: false,
    superviseIntervalSeconds: timing.superviseSeconds,
    monitorIntervalSeconds: timing.superviseSeconds,
  });
  boss.on('error', (error) => log(`queue: ${messageOf(error)}`));
  await boss.start();
  const queueOptions = {
    policy: 'singleton' as const,
    heartbeatSeconds: timing.heartbeatSeconds,
    // The most pg-boss allows; a task longer than a day is resumed by another worker from its checkpoint.
    expireInSeconds: 24 * 3600,
    // Each worker lost under a task spends one; a task that keeps killing its workers stops here,
    // and its job moves to the given-up queue.
    retryLimit: timing.retryLimit,
    deadLetter: GIVEN_UP_QUEUE,
    // A handler that failed (the database briefly away) is not retried in a tight loop.
    retryDelay: 1,
    notify: true,
  };
  const own = options.team ? teamQueue(options.team) : SHARED_QUEUE;
  if (!(await boss.getQueue(GIVEN_UP_QUEUE))) await boss.createQueue(GIVEN_UP_QUEUE, { retryLimit: 5 });
  for (const name of new Set([SHARED_QUEUE, own])) {
    if (!(await boss.getQueue(name))) await boss.createQueue(name, queueOptions);
  }

  // Which teams have queues of their own, looked up at most every few seconds.
  const dedicated = new Map<string, { queue: string; at: number }>();
  const queueFor = async (team: string): Promise<string> => {
    const known = dedicated.get(team);
    if (known && Date.now() - known.at < 5000) return known.queue;
    const queue = (await boss.getQueue(teamQueue(team))) ? teamQueue(team) : SHARED_QUEUE;
    dedicated.set(team, { queue, at: Date.now() });
    return queue;
  };

  let active = 0;
  let working = false;
  return {
    async enqueue(job, when = {}) {
      const limit = await options.teamLimit(job.team);
      const tier = limit === undefined ? undefined : String(Math.min(Math.max(1, limit), MAX_TIER));
      const data: TaskJob = {
        taskId: job.taskId,
        team: job.team,
        repository: job.repository,
        runs: job.runs ?? 0,
      };
      await boss.send(await queueFor(job.team), data, {
        // A job put off while the one that puts it off is still active needs a name of its own.
        ...(when.afterSeconds ? { startAfter: when.afterSeconds } : { id: jobId(job.taskId, job.runs ?? 0) }),
        singletonKey: job.repository,
        group: tier ? { id: job.team, tier } : { id: job.team },
      });
    },
    start(run) {
      if (options.concurrency < 1 || working) return;
      working = true;
      void boss
        .work<TaskJob>(
          own,
          {
            localConcurrency: options.concurrency,
            pollingIntervalSeconds: timing.pollSeconds,
            // A job held back (its repository busy, its team at its limit) is only found by polling.
            notifyPollingIntervalSeconds: timing.pollSeconds,
            groupConcurrency: { default: Math.max(1, options.defaultTeamLimit), tiers: TIERS },
            heartbeatRefreshSeconds: Math.min(timing.heartbeatSeconds / 4, 10),
          },
          async ([job]) => {
            if (!job) return;
            active += 1;
            try {
              // Every claim after the first means an earlier worker started it and went silent.
              await run({ ...job.data, takeover: job.retryCount > 0 }, job.signal);
            } finally {
              active -= 1;
            }
          },
        )
        .catch((error) => log(`queue: cannot take jobs: ${messageOf(error)}`));
      void boss
        .work<TaskJob>(GIVEN_UP_QUEUE, { pollingIntervalSeconds: timing.pollSeconds }, async ([job]) => {
          if (job) await run({ ...job.data, givenUp: true });
        })
        .catch((error) => log(`queue: cannot take given-up jobs: ${messageOf(error)}`));
    },
    async stop() {
      if (working) {
        await boss.offWork(GIVEN_UP_QUEUE, { wait: true });
        await boss.offWork(own, { wait: true });
      }
      working = false;
    },
    get active() {
      return active;
    },
    async close() {
      await boss.stop({ graceful: true, close: true, timeout: 5000 });
    },
  };
}

/** A job's id from its task and run: sending the same one twice queues it once. */
function jobId(taskId: string, runs: number): string {
  const hex = createHash('sha256').update(`warden-task:${taskId}:${runs}`).digest('hex');
  // Shaped as a UUID (version 5 bits, RFC 4122 variant), which is what pg-boss ids are.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((Number.parseInt(hex[16] ?? '0', 16) & 3) | 8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
