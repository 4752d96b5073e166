import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openAuditKeys } from '../audit/audit-keys.ts';
import { WardenError } from '../errors.ts';
import { redactDatabaseUrl } from '../store/pg-database.ts';
import { openBackend } from './backend.ts';
import { loadServerConfig } from './config.ts';
import { secureDataDir } from './data-dir.ts';
import { createServerTrials } from './eval-trials.ts';
import { gitHubPrefixes, openGitHubIntegration } from './github-app.ts';
import { loadPolicies } from './start-server.ts';
import { createTaskRunner } from './task-runner.ts';
import { createTaskWorkspaces } from './task-workspace.ts';

export interface WorkerOptions {
  databaseUrl: string;
  /** Holds `keys/` (the audit keys, copied from the server) and, by default, `server.yaml`. */
  dataDir: string;
  /** Default `<dataDir>/server.yaml`: the server's policies and models, with paths valid here. */
  configFile?: string;
  /** Tasks at once on this worker; default `concurrency` in the config. */
  concurrency?: number;
  /** Only this team's tasks, from a queue of its own. */
  team?: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export interface RunningWorker {
  concurrency: number;
  /** SIGTERM: take no new task; running ones stop at their next turn boundary, checkpointed, and go back to the queue. */
  drain(): Promise<void>;
}

/**
 * `warden worker`: no HTTP, only the queue. It takes tasks from PostgreSQL, runs their sessions here
 * (the repository must be at the same path on this machine), writes events, checkpoints and audit
 * records to the database, and heartbeats its jobs so that, if it dies, another worker resumes them.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const configFile = options.configFile ?? join(options.dataDir, 'server.yaml');
  if (!existsSync(configFile)) {
    throw new WardenError('worker.config', `there is no server config at ${configFile}`, {
      hint: "copy the server's server.yaml here (or pass --config FILE): a worker runs tasks under its policies",
    });
  }
  secureDataDir(options.dataDir);
  const config = loadServerConfig(
    configFile,
    options.concurrency === undefined ? {} : { concurrency: options.concurrency },
  );
  const keyDir = join(options.dataDir, 'keys');
  // A key in KMS (audit_keys:) is reached, never copied: only the file keys must be here.
  for (const file of openAuditKeys(keyDir, config.auditKeys).localFiles) {
    if (!existsSync(join(keyDir, file))) {
      throw new WardenError('worker.keys', `the audit key ${file} is missing`, {
        where: keyDir,
        hint: "copy the server's keys directory here (mode 0700, files 0600): every worker signs and seals with the same keys",
      });
    }
  }
  const policies = await loadPolicies(config);
  const backend = await openBackend({
    dataDir: options.dataDir,
    databaseUrl: options.databaseUrl,
    config,
    concurrency: config.concurrency,
    ...(options.team ? { team: options.team } : {}),
    role: 'worker',
    env: options.env,
    log: options.log,
  });
  if (backend.audit.keys.inKms) {
    await backend.audit.keys.prepare().catch(async (error) => {
      await backend.close();
      throw error;
    });
  }
  const github = await openGitHubIntegration({
    config,
    backend,
    policies,
    env: options.env,
    log: options.log,
    role: 'worker',
  }).catch(async (error) => {
    await backend.close();
    throw error;
  });
  const runner = createTaskRunner({
    tasks: backend.tasks,
    accounts: backend.accounts,
    sessions: backend.sessions,
    bus: backend.bus,
    policies,
    audit: backend.audit,
    env: options.env,
    cwd: options.dataDir,
    log: options.log,
    // A repository given by URL is cloned on this machine, under this worker's data directory.
    workspaces: createTaskWorkspaces({
      workRoot: join(options.dataDir, 'work'),
      clone: config.clone,
      env: options.env,
      log: options.log,
      roots: config.repositories,
      prefixes: [...config.repositoryUrls, ...gitHubPrefixes(config)],
      ...(github ? { cloneWith: github.hooks.cloneWith } : {}),
    }),
    ...(github ? { hooks: github.hooks } : {}),
    teamLimit: backend.teamLimit,
    ...(backend.requeue ? { requeue: backend.requeue } : {}),
  });
  const trials = createServerTrials({
    backend,
    policies,
    dataDir: options.dataDir,
    env: options.env,
    log: options.log,
  });
  backend.queue.start(trials.dispatch(runner.run));
  options.log(
    `taking tasks from ${redactDatabaseUrl(options.databaseUrl)} (${config.concurrency} at once${options.team ? `, team ${options.team} only` : ''})`,
  );
  return {
    concurrency: config.concurrency,
    async drain() {
      const stopped = backend.queue.stop();
      runner.drain(config.drainTimeoutMs);
      trials.drain();
      await stopped;
      await trials.close();
      await backend.close();
    },
  };
}
