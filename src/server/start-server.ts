import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock } from '../audit/index.ts';
import { isWardenError, WardenError } from '../errors.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import { loadPolicy } from '../policy/load.ts';
import { SessionStore } from '../store/session-store.ts';
import { buildApp } from './app.ts';
import { createAuthorizer } from './authorize.ts';
import { bootstrapAdmin } from './bootstrap.ts';
import { loadServerConfig, policyNames, type ServerConfig } from './config.ts';
import { withKeySpend } from './gateway-keys.ts';
import { recoverTasks } from './recovery.ts';
import { openServerGateway, type ServerGateway } from './server-gateway.ts';
import { openSqliteAccountStore } from './sqlite-account-store.ts';
import { openSqliteKeyStore } from './sqlite-key-store.ts';
import { openSqliteTaskStore } from './sqlite-task-store.ts';
import { createLocalTaskBus } from './task-bus.ts';
import { createLocalTaskQueue } from './task-queue.ts';
import { createTaskRunner } from './task-runner.ts';
import { createTaskWorkspaces, taskJob } from './task-workspace.ts';

export interface StartOptions {
  dataDir: string;
  host: string;
  port: number;
  /** Default `<dataDir>/server.yaml`. */
  configFile?: string;
  concurrency?: number;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  heartbeatMs?: number;
}

export interface RunningServer {
  url: string;
  config: ServerConfig;
  /** The first admin's token, on the start that created it; never again. */
  adminToken: string | undefined;
  /** Tasks resumed after the last process stopped without finishing them. */
  recovered: number;
  /** The model gateway at /gateway: `names` is empty while it is off. */
  gateway: Pick<ServerGateway, 'names'>;
  /** SIGTERM: take no new tasks, let running ones reach a turn boundary, close everything. */
  drain(): Promise<void>;
}

/**
 * One process with everything the embedded default needs: the API, the in-process queue and its
 * workers, SQLite under the data directory (tasks, accounts, sessions), the audit logs and the
 * signing key beside them, outside every repository an agent works in.
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { dataDir } = options;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = await lockDataDir(dataDir);
  const config = loadServerConfig(
    options.configFile ?? join(dataDir, 'server.yaml'),
    options.concurrency === undefined ? {} : { concurrency: options.concurrency },
  );
  const policies = await loadPolicies(config);
  const sessions = SessionStore.open(dataDir);
  const keyStore = openSqliteKeyStore(join(dataDir, 'server.db'));
  // A team's spend is its tasks' and its gateway keys': one budget, whichever way it is spent.
  const tasks = withKeySpend(openSqliteTaskStore(join(dataDir, 'server.db')), keyStore);
  const accounts = openSqliteAccountStore(join(dataDir, 'server.db'));
  const audit = { dir: join(dataDir, 'audit'), keyDir: join(dataDir, 'keys') };
  // Before the first admin's token is made: a start that fails on a gateway route must not leave
  // behind a token no one was shown.
  const gateway = await openServerGateway({
    config: config.gateway,
    source: config.source,
    store: keyStore,
    accounts,
    teamSpend: (team) => tasks.teamSpend(team),
    audit,
    env: options.env,
    cwd: dataDir,
    log: options.log,
  });
  const adminToken = await bootstrapAdmin(accounts);
  const bus = createLocalTaskBus();
  const runner = createTaskRunner({
    tasks,
    accounts,
    sessions,
    bus,
    policies,
    audit,
    env: options.env,
    cwd: dataDir,
    log: options.log,
    workspaces: createTaskWorkspaces({
      workRoot: join(dataDir, 'work'),
      clone: config.clone,
      env: options.env,
      log: options.log,
    }),
  });
  const queue = createLocalTaskQueue({
    concurrency: config.concurrency,
    teamLimit: async (team) => (await accounts.getTeam(team))?.concurrency ?? config.teamConcurrency,
  });
  const recovered = await recoverTasks(tasks);
  for (const task of recovered) {
    await queue.enqueue(taskJob(task));
  }
  const app = await buildApp({
    config,
    tasks,
    accounts,
    sessions,
    bus,
    queue,
    authorizer: createAuthorizer({
      roots: () => [...config.repositories, ...config.repositoryUrls.map((prefix) => prefix.text)],
      policies: () => policyNames(config),
    }),
    policies,
    auditDir: audit.dir,
    keyDir: audit.keyDir,
    env: options.env,
    cwd: dataDir,
    gateway,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    log: options.log,
  });
  const address = await app.listen({ host: options.host, port: options.port });
  queue.start(runner.run);

  return {
    url: address,
    config,
    adminToken,
    recovered: recovered.filter((task) => task.runs > 0).length,
    gateway: { names: gateway.names },
    async drain() {
      const stopped = queue.stop();
      runner.drain(config.drainTimeoutMs);
      await stopped;
      await app.close();
      await gateway.close();
      await keyStore.close();
      await tasks.close();
      await accounts.close();
      sessions.close();
      await lock.release();
    },
  };
}

/**
 * Two servers on one data directory would both take up the tasks the other is running. A lock left
 * by a process that died (kill -9) is taken over.
 */
async function lockDataDir(dataDir: string) {
  const file = join(dataDir, 'server.lock');
  try {
    return await acquireLock(file);
  } catch (error) {
    if (!isWardenError(error) || error.code !== 'audit.locked') throw error;
    const pid = readFileSync(file, 'utf8').trim();
    throw new WardenError('server.locked', `process ${pid} is already serving ${dataDir}`, {
      hint: 'stop it first, or give this server a data directory of its own with --data DIR',
    });
  }
}

async function loadPolicies(config: ServerConfig): Promise<Map<string, CompiledPolicy>> {
  const policies = new Map<string, CompiledPolicy>();
  if (!config.policies.default) policies.set('default', await loadPolicy());
  for (const [name, file] of Object.entries(config.policies)) {
    try {
      policies.set(name, await loadPolicy(file));
    } catch (error) {
      throw new WardenError('server.config', `policies.${name}: ${(error as Error).message}`, {
        where: config.source,
        hint: `check it with: warden policy check ${file}`,
      });
    }
  }
  return policies;
}
