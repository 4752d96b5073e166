import { join } from 'node:path';
import { type AuditKeys, openAuditKeys } from '../audit/audit-keys.ts';
import type { OpenAuditStorage } from '../audit/index.ts';
import { pgAuditStorage } from '../audit/pg-storage.ts';
import { type EvalStore, pgEvalStore, sqliteEvalStore } from '../eval/store.ts';
import { type GitHubStore, pgGitHubStore, sqliteGitHubStore } from '../github/store.ts';
import { createRedactor, secretsInEnv } from '../guard/redactor.ts';
import { openDatabase } from '../store/pg-database.ts';
import { pgSessionState } from '../store/pg-session-state.ts';
import { requireVerifiedDatabase } from '../store/pg-tls.ts';
import { type SessionState, sessionStateOf } from '../store/session-state.ts';
import { SessionStore } from '../store/session-store.ts';
import type { AccountStore } from './account-store.ts';
import { type AuditLogs, fileAuditLogs, pgAuditLogs } from './audit-logs.ts';
import type { ServerConfig } from './config.ts';
import { privately, secureDatabases } from './data-dir.ts';
import { withKeySpend } from './gateway-keys.ts';
import type { KeyStore } from './key-store.ts';
import { pgAccountStore } from './pg-account-store.ts';
import { pgKeyStore } from './pg-key-store.ts';
import { openPgTaskBus } from './pg-task-bus.ts';
import { openPgTaskQueue, queueTiming } from './pg-task-queue.ts';
import { pgTaskStore } from './pg-task-store.ts';
import { withRedaction } from './redacted-task-store.ts';
import { openSqliteAccountStore } from './sqlite-account-store.ts';
import { openSqliteKeyStore } from './sqlite-key-store.ts';
import { openSqliteTaskStore } from './sqlite-task-store.ts';
import { pgSsoSessionStore, type SsoSessionStore, sqliteSsoSessionStore } from './sso/session-store.ts';
import { createLocalTaskBus, type TaskBus } from './task-bus.ts';
import { createLocalTaskQueue, type TaskJob, type TaskQueue } from './task-queue.ts';
import type { TaskStore } from './task-store.ts';

/** Where a server's or worker's state, queue and audit logs live: one machine, or a shared database. */
export interface Backend {
  kind: 'sqlite' | 'postgres';
  /** A team's spend here is its tasks' and its gateway keys': one budget, whichever way it is spent. */
  tasks: TaskStore;
  accounts: AccountStore;
  /** The gateway's virtual keys. */
  keys: KeyStore;
  sessions: SessionState;
  /** Evaluation runs and their trials (`warden eval run --server`). */
  evals: EvalStore;
  /** The GitHub App's deliveries and the tasks they started. */
  github: GitHubStore;
  /** Single sign-on sessions of the console. */
  ssoSessions: SsoSessionStore;
  bus: TaskBus;
  queue: TaskQueue;
  /** The keys are files (the same on every machine) or in KMS (`audit_keys:`); the logs are files or rows. */
  audit: { dir: string; keyDir: string; keys: AuditKeys; storage?: OpenAuditStorage };
  auditLogs: AuditLogs;
  /** A team's limit: its own, else the configured default. */
  teamLimit(team: string): Promise<number>;
  /** For a queue that other processes take from: hand a job back (drained, or put off). */
  requeue: ((job: TaskJob, afterSeconds?: number) => Promise<void>) | undefined;
  close(): Promise<void>;
}

export interface BackendOptions {
  dataDir: string;
  /** PostgreSQL instead of SQLite under the data directory. */
  databaseUrl: string | undefined;
  config: ServerConfig;
  /** Tasks this process runs at once (0: it only queues them). */
  concurrency: number;
  /** A worker that runs only this team's tasks. */
  team?: string;
  role: 'server' | 'worker';
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export async function openBackend(options: BackendOptions): Promise<Backend> {
  return options.databaseUrl ? openPostgres(options, options.databaseUrl) : openSqlite(options);
}

/** The embedded default: SQLite files, the in-process queue and bus, audit logs as files. */
function openSqlite(options: BackendOptions): Backend {
  const { dataDir, config } = options;
  const { sessions, keys, tasks, accounts, evals, github, ssoSessions } = privately(() => {
    const keys = openSqliteKeyStore(join(dataDir, 'server.db'));
    const evals = sqliteEvalStore(join(dataDir, 'server.db'));
    return {
      evals,
      github: sqliteGitHubStore(join(dataDir, 'server.db')),
      ssoSessions: sqliteSsoSessionStore(join(dataDir, 'server.db')),
      sessions: SessionStore.open(dataDir),
      keys,
      tasks: withRedaction(
        withKeySpend(openSqliteTaskStore(join(dataDir, 'server.db')), keys, evals),
        serverRedactor(options.env),
      ),
      accounts: openSqliteAccountStore(join(dataDir, 'server.db')),
    };
  });
  secureDatabases(dataDir);
  const teamLimit = async (team: string) =>
    (await accounts.getTeam(team))?.concurrency ?? config.teamConcurrency;
  const audit = {
    dir: join(dataDir, 'audit'),
    keyDir: join(dataDir, 'keys'),
    keys: openAuditKeys(join(dataDir, 'keys'), config.auditKeys),
  };
  return {
    kind: 'sqlite',
    tasks,
    accounts,
    keys,
    sessions: sessionStateOf(sessions),
    evals,
    github,
    ssoSessions,
    bus: createLocalTaskBus(),
    queue: createLocalTaskQueue({ concurrency: options.concurrency, teamLimit }),
    audit,
    auditLogs: fileAuditLogs(audit.dir),
    teamLimit,
    requeue: undefined,
    async close() {
      await keys.close();
      await tasks.close();
      await accounts.close();
      await evals.close();
      await github.close();
      await ssoSessions.close();
      sessions.close();
    },
  };
}

/**
 * PostgreSQL for everything that must outlive a worker: tasks, accounts, sessions, events and audit
 * records in Warden's tables (migrated here), the queue in pg-boss's, notices over LISTEN/NOTIFY.
 * Only the keys stay files, because a database that held the signing key could rewrite the logs
 * it also holds.
 */
async function openPostgres(options: BackendOptions, url: string): Promise<Backend> {
  const { config, log } = options;
  const fromEnv = options.env.WARDEN_DATABASE_REQUIRE_TLS || undefined;
  requireVerifiedDatabase(
    url,
    fromEnv ?? config.transport?.databaseRequireTls,
    fromEnv ? 'WARDEN_DATABASE_REQUIRE_TLS' : `database.require_tls in ${config.source}`,
  );
  const pool = await openDatabase(url, {
    // Sessions write their events through it; a few more for the API and the runner's reads.
    max: Math.min(Math.max(options.concurrency + 4, 6), 40),
    applicationName: `warden ${options.role}`,
    log,
  });
  const closing: Array<() => Promise<void>> = [() => pool.end()];
  try {
    const keys = pgKeyStore(pool);
    const evals = pgEvalStore(pool);
    const tasks = withRedaction(withKeySpend(pgTaskStore(pool), keys, evals), serverRedactor(options.env));
    const accounts = pgAccountStore(pool);
    const bus = await openPgTaskBus({ url, pool, log });
    closing.unshift(bus.close);
    const queue = await openPgTaskQueue({
      url,
      concurrency: options.concurrency,
      ...(options.team ? { team: options.team } : {}),
      teamLimit: async (team) => (await accounts.getTeam(team))?.concurrency,
      defaultTeamLimit: config.teamConcurrency,
      timing: queueTiming(options.env),
      log,
    });
    closing.unshift(queue.close);
    return {
      kind: 'postgres',
      tasks,
      accounts,
      keys,
      sessions: pgSessionState(pool),
      evals,
      github: pgGitHubStore(pool),
      ssoSessions: pgSsoSessionStore(pool),
      bus,
      queue,
      audit: {
        dir: join(options.dataDir, 'audit'),
        keyDir: join(options.dataDir, 'keys'),
        keys: openAuditKeys(join(options.dataDir, 'keys'), config.auditKeys),
        storage: pgAuditStorage(pool),
      },
      auditLogs: pgAuditLogs(pool),
      teamLimit: async (team) => (await accounts.getTeam(team))?.concurrency ?? config.teamConcurrency,
      requeue: (job, afterSeconds) => queue.enqueue(job, afterSeconds === undefined ? {} : { afterSeconds }),
      close: () => closeAll(closing),
    };
  } catch (error) {
    await closeAll(closing);
    throw error;
  }
}

async function closeAll(steps: Array<() => Promise<void>>): Promise<void> {
  for (const step of steps) await step().catch(() => undefined);
}

/** What the server stores is redacted by shape, and of the keys the server itself holds. */
function serverRedactor(env: NodeJS.ProcessEnv) {
  const redactor = createRedactor();
  redactor.addKnown(secretsInEnv(env));
  return redactor;
}
