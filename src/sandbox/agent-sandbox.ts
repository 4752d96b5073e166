import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { WardenError } from '../errors.ts';
import {
  type Bind,
  buildBwrapArgs,
  encodeArgs,
  envArgs,
  isWithin,
  readOnlyConflict,
  SANDBOX_HOME,
  SECCOMP_FD,
  synthesizedEtc,
  workspaceConflict,
} from './bwrap-args.ts';
import { detectSandbox } from './detect.ts';
import { createDiskLimit } from './disk-limit.ts';
import { inheritableDescriptors } from './inherited-fds.ts';
import { createLimiter, type SandboxLimits } from './limits.ts';
import { findMaskedPaths } from './masked-paths.ts';
import { type AttachedExit, type AttachedProcess, startAttached } from './run-attached.ts';
import { buildSandboxEnv } from './sandbox-env.ts';
import { type BridgedSocket, bridgeMounts, PROXY_PORT, proxyEnv } from './sandbox-network.ts';
import { hostSeccompProgram } from './seccomp.ts';

export interface AgentSandboxOptions {
  /** The project directory: writable, like HOME below; nothing else of the host is. */
  workspace: string;
  /** The program and its arguments, as they exist inside (host paths bound at the same place). */
  argv: string[];
  /** Absolute working directory, inside the workspace. */
  cwd: string;
  /**
   * false: no terminal — stdin, stdout and stderr are /dev/null (an evaluation's contestant, many
   * at once, whose output would interleave). Default true: the user's terminal.
   */
  terminal?: boolean;
  /** A throwaway host directory that becomes HOME: the agent's own state, never the user's. */
  home: string;
  /** Host paths shown read-only at the same place: the agent's installation, .git, a socket dir. */
  readOnly?: string[];
  /** Host paths shown at other places, mounted after everything else (files over a shell, a config). */
  binds?: Bind[];
  /** Variables on top of the sandbox's base; dangerous names are still dropped (sandbox-env.ts). */
  env?: Record<string, string>;
  /** The egress proxy's socket: the agent's only way out. Absent, it has no network at all. */
  proxySocket?: string;
  /** Warden's services offered on loopback ports inside (the model gateway), never through the proxy. */
  services?: Array<BridgedSocket & { host: string }>;
  /** Workspace-relative paths the policy denies: masked as for every command (see bwrap.ts). */
  hidden?: (path: string) => boolean;
  limits?: SandboxLimits;
  /** Let package managers run install scripts; off unless the policy says so (sandbox-env.ts). */
  installScripts?: boolean;
  /** The syscall filter of seccomp.ts; default on. */
  seccomp?: boolean;
  /** The Node binary offered as `node` inside; default the one running Warden. */
  nodePath?: string;
  bwrapPath?: string;
}

const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin';

/**
 * A whole agent — a long-lived program that runs commands of its own — in the same sandbox a
 * command gets (bwrap.ts): no host home, a scrubbed environment, the workspace the only writable
 * project path, the egress proxy its only way out, plus a throwaway HOME for its own state and
 * Warden's services bridged in on loopback. It runs on the user's terminal until it exits.
 */
export async function startAgentSandbox(options: AgentSandboxOptions): Promise<AttachedProcess> {
  const workspace = realDirectory(options.workspace, 'workspace');
  const home = realDirectory(options.home, 'agent home');
  const cwd = path.resolve(options.cwd);
  if (!isWithin(cwd, workspace)) throw badConfig(`the working directory ${cwd} is outside the workspace`);
  const nodePath = realpathSync(options.nodePath ?? process.execPath);
  const readOnly = (options.readOnly ?? []).map((p) => {
    if (!path.isAbsolute(p)) throw badConfig(`read-only paths must be absolute: ${p}`);
    try {
      return realpathSync(p);
    } catch (cause) {
      throw badConfig(`the read-only path ${p} does not exist`, cause);
    }
  });
  const info = await detectSandbox(options.bwrapPath === undefined ? {} : { bwrapPath: options.bwrapPath });
  const conflict =
    workspaceConflict(workspace, info.layout) ??
    [nodePath, ...readOnly].map((p) => readOnlyConflict(p, info.layout)).find((c) => c !== undefined);
  if (conflict !== undefined) throw badConfig(conflict);

  const services = options.services ?? [];
  const sockets: BridgedSocket[] = [
    ...(options.proxySocket === undefined ? [] : [{ socket: options.proxySocket, port: PROXY_PORT }]),
    ...services.map(({ socket, port }) => ({ socket, port })),
  ];
  const bridge = sockets.length === 0 ? undefined : bridgeMounts(sockets, nodePath, info.layout);
  const { env } = buildSandboxEnv({
    path: `${path.dirname(nodePath)}:${SYSTEM_PATH}`,
    ...(options.env === undefined ? {} : { operator: options.env }),
    installScripts: options.installScripts === true,
  });
  // Last, so nothing above can point the agent's traffic elsewhere; Warden's own services are
  // reached directly on their loopback ports, everything else through the proxy or not at all.
  const noProxy = services.map((service) => service.host).join(',');
  const network = {
    ...(options.proxySocket === undefined ? {} : proxyEnv(PROXY_PORT)),
    ...(noProxy === '' ? {} : { NO_PROXY: noProxy, no_proxy: noProxy }),
  };
  const setup = buildBwrapArgs({
    layout: info.layout,
    features: info.features,
    workspace,
    cwd,
    readOnly: [nodePath, ...readOnly, ...(bridge?.readOnly ?? [])],
    masked: options.hidden ? await findMaskedPaths(workspace, options.hidden) : [],
    binds: [{ source: home, dest: SANDBOX_HOME, writable: true }, ...(options.binds ?? [])],
  });
  const seccomp = options.seccomp === false ? undefined : hostSeccompProgram();
  const command = bridge === undefined ? options.argv : bridge.command(options.argv);
  const inherited = await inheritableDescriptors();

  // The limiter holds the agent's cgroup for as long as the agent runs, and removes it after.
  const { promise: started, resolve: onStart, reject: onFail } = Promise.withResolvers<AttachedProcess>();
  const { promise: exited, resolve: onExit } = Promise.withResolvers<AttachedExit>();
  const limiter = createLimiter(options.limits);
  // The agent is one process for the whole session: past the disk limit, it is the one stopped.
  const { diskBytes, fileSizeBytes } = options.limits ?? {};
  const watch =
    diskBytes === undefined
      ? undefined
      : await createDiskLimit({
          root: workspace,
          maxBytes: diskBytes,
          skip: ['.warden'],
          ...(fileSizeBytes === undefined ? {} : { fileSizeBytes }),
        }).begin();
  if (watch !== undefined && watch.room === 0) {
    await watch.end();
    throw new WardenError('sandbox.disk_full', 'the workspace is already over its disk limit (limits.disk)', {
      where: 'sandbox',
      hint: 'delete files in the workspace, or raise limits.disk in the policy',
    });
  }
  limiter
    .enforce(
      command,
      async (limited) => {
        const agent = await startAttached(
          {
            bwrapPath: info.path,
            setup: encodeArgs([
              ...setup,
              ...envArgs({ ...env, ...network }),
              ...(seccomp === undefined ? [] : ['--seccomp', String(SECCOMP_FD)]),
            ]),
            files: synthesizedEtc(),
            ...(seccomp === undefined ? {} : { seccomp }),
            command: limited.command,
            ...(limited.launcher === undefined ? {} : { launcher: limited.launcher }),
            inherited,
            ...(watch === undefined ? {} : { onSpawn: (pid: number) => watch.attach(pid) }),
          },
          options.terminal === false ? 'ignore' : 'inherit',
        );
        watch?.signal.addEventListener('abort', () => agent.kill(), { once: true });
        onStart({ signal: agent.signal, kill: agent.kill, exited });
        const exit = await agent.exited;
        return { ...exit, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 0 };
      },
      watch === undefined ? undefined : { fileSizeBytes: watch.room },
    )
    .then(
      async (result) => {
        const disk = await watch?.end();
        onExit({ exitCode: result.exitCode, signal: result.signal, ...(disk ? { disk } : {}) });
      },
      async (error: unknown) => {
        await watch?.end();
        onFail(error);
        onExit({ exitCode: null, signal: null });
      },
    );
  return started;
}

function realDirectory(dir: string, what: string): string {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (cause) {
    throw badConfig(`the ${what} ${dir} does not exist`, cause);
  }
  if (!statSync(real).isDirectory()) throw badConfig(`the ${what} ${dir} is not a directory`);
  return real;
}

function badConfig(message: string, cause?: unknown): WardenError {
  return new WardenError('sandbox.bad-config', message, {
    where: 'sandbox',
    ...(cause === undefined ? {} : { cause }),
  });
}
