import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import { acquireLock } from '../audit/index.ts';
import { isWardenError, WardenError } from '../errors.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import { loadPolicy } from '../policy/load.ts';
import { buildApp } from './app.ts';
import { createAuthorizer } from './authorize.ts';
import { openBackend } from './backend.ts';
import { bootstrapAdmin } from './bootstrap.ts';
import { loadServerConfig, policyNames, type ServerConfig } from './config.ts';
import { secureDataDir } from './data-dir.ts';
import { createServerTrials, enqueueTrials } from './eval-trials.ts';
import { gitHubPrefixes, openGitHubIntegration } from './github-app.ts';
import { recoverTasks, requeueWaiting } from './recovery.ts';
import { openServerGateway, type ServerGateway } from './server-gateway.ts';
import { openSso, requireSsoSecret } from './sso/open-sso.ts';
import { createTaskRunner } from './task-runner.ts';
import { createTaskWorkspaces, taskJob } from './task-workspace.ts';
import { checkPlainHttp } from './tls/plain-http.ts';
import { httpsOptions, reloadTls } from './tls/server-tls.ts';

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
  /** WARDEN_DATABASE_URL: state and queue in PostgreSQL, shared with `warden worker`s. */
  databaseUrl?: string;
}

export interface RunningServer {
  url: string;
  config: ServerConfig;
  /** The first admin's token, on the start that created it; never again. */
  adminToken: string | undefined;
  /** Tasks resumed after the last process stopped without finishing them. */
  recovered: number;
  /** Where state lives: `sqlite` under the data directory, or `postgres`. */
  backend: 'sqlite' | 'postgres';
  /** The model gateway at /gateway and the MCP gateway at /mcp: each list is empty while it is off. */
  gateway: Pick<ServerGateway, 'names' | 'mcpServers'>;
  /** SIGHUP with `tls:`: the certificate, key and client CA read again; undefined without TLS. */
  reloadTls?: () => ReturnType<typeof reloadTls>;
  /** SIGTERM: take no new tasks, let running ones reach a turn boundary, close everything. */
  drain(): Promise<void>;
}

/**
 * One process with everything the embedded default needs: the API, the in-process queue and its
 * workers, SQLite under the data directory (tasks, accounts, sessions), the audit logs and the
 * signing key beside them, outside every repository an agent works in.
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { dataDir, databaseUrl } = options;
  secureDataDir(dataDir);
  // One process per SQLite data directory; with PostgreSQL any number of API servers may run.
  const lock = databaseUrl ? undefined : await lockDataDir(dataDir);
  const config = loadServerConfig(
    options.configFile ?? join(dataDir, 'server.yaml'),
    options.concurrency === undefined ? {} : { concurrency: options.concurrency },
  );
  if (config.sso) requireSsoSecret(config.sso, options.env);
  try {
    checkPlainHttp(options.host, config.transport, config.source);
    // Read here to fail before anything opens; buildApp reads them again for its https server.
    if (config.transport?.tls) httpsOptions(config.transport.tls, config.source);
  } catch (error) {
    await lock?.release();
    throw error;
  }
  const policies = await loadPolicies(config);
  const backend = await openBackend({
    dataDir,
    databaseUrl,
    config,
    concurrency: config.concurrency,
    role: 'server',
    env: options.env,
    log: options.log,
  }).catch(async (error) => {
    await lock?.release();
    throw error;
  });
  // A team's spend is its tasks' and its gateway keys' (the backend's task store counts both).
  const { tasks, accounts, sessions, bus, queue, audit, keys: keyStore } = backend;
  if (backend.kind === 'postgres' || audit.keys.inKms) {
    // Made here, once, so that there is a key to copy to the workers: each making its own would
    // sign and seal with keys no one else holds. Keys in KMS are reached now, so a wrong
    // credential or key policy stops the start rather than the first task.
    await audit.keys.prepare().catch(async (error) => {
      await backend.close();
      await lock?.release();
      throw error;
    });
  }
  const gateway = await openServerGateway({
    config: config.gateway,
    source: config.source,
    store: keyStore,
    accounts,
    teamSpend: (team) => tasks.teamSpend(team),
    mcp: config.mcp,
    policies,
    dataDir,
    // The gateway's own log is one per server, a file beside its keys.
    audit: { dir: audit.dir, keyDir: audit.keyDir, keys: audit.keys },
    env: options.env,
    cwd: dataDir,
    log: options.log,
  });
  const github = await openGitHubIntegration({
    config,
    backend,
    policies,
    env: options.env,
    log: options.log,
    role: 'server',
  }).catch(async (error) => {
    await gateway.close();
    await backend.close();
    await lock?.release();
    throw error;
  });
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
      roots: config.repositories,
      prefixes: [...config.repositoryUrls, ...gitHubPrefixes(config)],
      ...(github ? { cloneWith: github.hooks.cloneWith } : {}),
    }),
    ...(github ? { hooks: github.hooks } : {}),
    ...(backend.requeue ? { requeue: backend.requeue, teamLimit: backend.teamLimit } : {}),
    // Tasks use server.yaml's MCP servers too, pinned in the server's own state.
    mcp: { ...(config.mcp ? { servers: config.mcp.servers } : {}), pinFile: join(dataDir, 'mcp-pins.json') },
  });
  const trials = createServerTrials({ backend, policies, dataDir, env: options.env, log: options.log });
  let recovered = 0;
  if (backend.kind === 'postgres') {
    await requeueWaiting(tasks, queue);
  } else {
    const waiting = await recoverTasks(tasks);
    for (const task of waiting) await queue.enqueue(taskJob(task));
    recovered = waiting.filter((task) => task.runs > 0).length;
    // The in-process queue forgot the trials it held; the store knows which are not done.
    for (const id of await backend.evals.unfinishedRuns()) {
      const run = await backend.evals.getRun(id);
      if (run) await enqueueTrials(backend, queue, run);
    }
  }
  const app = await buildApp({
    config,
    tasks,
    accounts,
    sessions,
    evals: backend.evals,
    bus,
    queue,
    authorizer: createAuthorizer({
      roots: () => [...config.repositories, ...config.repositoryUrls.map((prefix) => prefix.text)],
      policies: () => policyNames(config),
    }),
    policies,
    auditDir: audit.dir,
    auditLogs: backend.auditLogs,
    keyDir: audit.keyDir,
    auditKeys: audit.keys,
    env: options.env,
    cwd: dataDir,
    gateway,
    ...(config.sso ? { sso: openSso(config.sso, backend, options.env, options.log) } : {}),
    heartbeatMs: options.heartbeatMs ?? 15_000,
    log: options.log,
  });
  if (github?.route) await app.register(github.route);
  const address = await app.listen({ host: options.host, port: options.port }).catch(async (error) => {
    await gateway.close();
    await backend.close();
    await lock?.release();
    throw error;
  });
  // Only now: a start that cannot listen (a port in use) must not make a token no one is shown.
  const adminToken = await bootstrapAdmin(accounts, dataDir);
  const tls = config.transport?.tls;
  queue.start(trials.dispatch(runner.run));

  return {
    url: address,
    config,
    adminToken,
    recovered,
    backend: backend.kind,
    gateway: { names: gateway.names, mcpServers: gateway.mcpServers },
    ...(tls ? { reloadTls: () => reloadTls(app.server as unknown as TlsServer, tls, config.source) } : {}),
    async drain() {
      const stopped = queue.stop();
      runner.drain(config.drainTimeoutMs);
      trials.drain();
      await stopped;
      await trials.close();
      await app.close();
      await gateway.close();
      await backend.close();
      await lock?.release();
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
    const [pid] = readFileSync(file, 'utf8').trim().split(/\s+/);
    throw new WardenError('server.locked', `process ${pid} is already serving ${dataDir}`, {
      hint: 'stop it first, or give this server a data directory of its own with --data DIR',
    });
  }
}

export async function loadPolicies(config: ServerConfig): Promise<Map<string, CompiledPolicy>> {
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
