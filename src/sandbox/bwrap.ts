import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { WardenError } from '../errors.ts';
import {
  buildBwrapArgs,
  encodeArgs,
  envArgs,
  isWithin,
  readOnlyConflict,
  SECCOMP_FD,
  synthesizedEtc,
  workspaceConflict,
} from './bwrap-args.ts';
import { type BwrapInfo, detectSandbox } from './detect.ts';
import { createDiskLimit } from './disk-limit.ts';
import { inheritableDescriptors } from './inherited-fds.ts';
import { createLimiter, type SandboxLimits } from './limits.ts';
import { findMaskedPaths } from './masked-paths.ts';
import { DEFAULT_MAX_OUTPUT_BYTES } from './output-buffer.ts';
import { runBwrap } from './run-process.ts';
import { buildSandboxEnv } from './sandbox-env.ts';
import { networkMounts, type SandboxNetwork } from './sandbox-network.ts';
import { hostSeccompProgram } from './seccomp.ts';
import { type Launch, startSandboxed } from './spawn-sandboxed.ts';
import type { DiskVerdict, RunRequest, RunResult, Sandbox, SandboxedProcess, SpawnRequest } from './types.ts';

export interface BwrapSandboxOptions {
  /** The project directory: the only place a command can write. */
  workspace: string;
  /** Default `bwrap` on Warden's PATH. */
  bwrapPath?: string;
  /** More host paths to show read-only at the same place (a toolchain under /opt, a cache). */
  extraReadOnly?: string[];
  /** Operator-configured variables on top of the base environment (dangerous names still dropped). */
  env?: Record<string, string>;
  /** The Node binary offered as `node` inside; default the one running Warden. */
  nodePath?: string;
  /** Reach allowed hosts through the egress proxy on this socket; absent = no network at all. */
  network?: SandboxNetwork;
  /** The syscall filter of seccomp.ts; default on. Off only by an explicit `false`. */
  seccomp?: boolean;
  /**
   * Limits on each command's process tree (see limits.ts). Creation throws
   * `sandbox.limits_unavailable` when this host cannot enforce one that is asked for.
   */
  limits?: SandboxLimits;
  /**
   * Workspace-relative paths the policy denies (`files.deny`): each command sees matching files
   * as empty and matching directories as empty, found afresh before every command.
   */
  hidden?: (path: string) => boolean;
  /** Let package managers run install scripts (the policy's `dependencies.install_scripts`). */
  installScripts?: boolean;
}

const SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin';

/**
 * A sandbox that runs each command under bubblewrap: no network, no host home, no credentials,
 * a scrubbed environment, the workspace the only writable place, and a wall-time limit that kills
 * the whole process tree. Availability is checked once, before the first command, by actually
 * entering the namespaces; when that fails every run rejects with `sandbox.unavailable`.
 * A timeout or an abort resolves with `exitCode: null, signal: 'SIGKILL'` (and `timedOut` for the
 * former); an invalid request rejects with `sandbox.bad-request`, a bad setup with `sandbox.bad-config`.
 */
export function createBwrapSandbox(options: BwrapSandboxOptions): Sandbox {
  const workspace = realDirectory(options.workspace, 'workspace');
  // Only the binary, not its directory: an nvm-style bin/ also holds npm and npx symlinks into a
  // tree we do not mount, which would shadow the system's npm with dangling links.
  const nodePath = realpathSync(options.nodePath ?? process.execPath);
  // Real paths: a bind's destination must not run through a symlink the sandbox lays out itself.
  const extraReadOnly = (options.extraReadOnly ?? []).map((p) => {
    if (!path.isAbsolute(p)) throw badConfig(`extraReadOnly entries must be absolute paths: ${p}`);
    return realPath(p, 'read-only path');
  });
  const files = synthesizedEtc();
  const seccomp = options.seccomp === false ? undefined : hostSeccompProgram();
  const limiter = createLimiter(options.limits);
  const diskBytes = options.limits?.diskBytes;
  const disk =
    diskBytes === undefined
      ? undefined
      : createDiskLimit({
          root: workspace,
          maxBytes: diskBytes,
          skip: DISK_SKIP,
          ...(options.limits?.fileSizeBytes === undefined
            ? {}
            : { fileSizeBytes: options.limits.fileSizeBytes }),
        });
  let ready: Promise<BwrapInfo> | undefined;

  const prepare = async (): Promise<BwrapInfo> => {
    const info = await detectSandbox(options.bwrapPath === undefined ? {} : { bwrapPath: options.bwrapPath });
    const conflict =
      workspaceConflict(workspace, info.layout) ??
      [nodePath, ...extraReadOnly].map((p) => readOnlyConflict(p, info.layout)).find((c) => c !== undefined);
    if (conflict !== undefined) throw badConfig(conflict);
    return info;
  };

  /** The bwrap invocation for one program: everything but the limits, which wrap its command. */
  const launch = async (
    request: { argv: string[]; cwd?: string | undefined; env?: Record<string, string> | undefined },
    requestReadOnly: readonly string[] = [],
    workspaceReadOnly = false,
  ): Promise<Launch> => {
    const cwd = path.resolve(workspace, request.cwd ?? '.');
    if (!isWithin(cwd, workspace)) {
      throw new WardenError('sandbox.bad-request', `cwd ${request.cwd} is outside the workspace`, {
        where: 'sandbox',
      });
    }
    ready ??= prepare();
    const info = await ready;
    const conflict = requestReadOnly
      .map((p) => readOnlyConflict(p, info.layout))
      .find((c) => c !== undefined);
    if (conflict !== undefined) throw badRequest(conflict);
    const network =
      options.network === undefined ? undefined : networkMounts(options.network, nodePath, info.layout);
    const { env } = buildSandboxEnv({
      path: `${path.dirname(nodePath)}:${SYSTEM_PATH}`,
      ...(options.env === undefined ? {} : { operator: options.env }),
      ...(request.env === undefined ? {} : { request: request.env }),
      installScripts: options.installScripts === true,
    });
    const setup = buildBwrapArgs({
      layout: info.layout,
      features: info.features,
      workspace,
      workspaceReadOnly,
      cwd,
      readOnly: [nodePath, ...extraReadOnly, ...requestReadOnly, ...(network?.readOnly ?? [])],
      masked: options.hidden ? await findMaskedPaths(workspace, options.hidden) : [],
    });
    return {
      bwrapPath: info.path,
      setup: encodeArgs([
        ...setup,
        ...envArgs({ ...env, ...network?.env }),
        ...(seccomp === undefined ? [] : ['--seccomp', String(SECCOMP_FD)]),
      ]),
      files,
      ...(seccomp === undefined ? {} : { seccomp }),
      inherited: await inheritableDescriptors(),
      command: network === undefined ? request.argv : network.command(request.argv),
    };
  };

  return {
    kind: 'bubblewrap',
    async run(request: RunRequest): Promise<RunResult> {
      checkRequest(request);
      const { command, ...invocation } = await launch(request);
      const watch = await disk?.begin();
      const signal = anySignal(request.signal, watch?.signal);
      let result: RunResult;
      let verdict: DiskVerdict | undefined;
      try {
        result = await limiter.enforce(
          command,
          async (limited) =>
            runBwrap({
              ...invocation,
              command: limited.command,
              ...(limited.launcher === undefined ? {} : { launcher: limited.launcher }),
              stdin: request.stdin,
              timeoutMs: request.timeoutMs,
              maxOutputBytes: request.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
              signal,
              ...(watch === undefined ? {} : { onSpawn: (pid: number) => watch.attach(pid) }),
            }),
          watch === undefined ? undefined : { fileSizeBytes: watch.room },
        );
      } finally {
        verdict = await watch?.end();
      }
      return verdict === undefined ? result : { ...result, disk: verdict };
    },
    async spawn(request: SpawnRequest): Promise<SandboxedProcess> {
      checkArgv(request.argv, request.cwd);
      const readOnly = (request.readOnly ?? []).map((p) => {
        if (typeof p !== 'string' || !path.isAbsolute(p)) {
          throw badRequest(`readOnly entries must be absolute paths: ${p}`);
        }
        try {
          return realpathSync(p);
        } catch (cause) {
          throw new WardenError('sandbox.bad-request', `the read-only path ${p} does not exist`, {
            where: 'sandbox',
            cause,
          });
        }
      });
      const launched = await launch(request, readOnly, request.workspace === 'read-only');
      return startSandboxed({ launch: launched, limiter, disk, signal: request.signal });
    },
  };
}

/** Warden's own records in the workspace: not the agent's to fill, not counted against it. */
const DISK_SKIP = ['.warden'];

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length <= 1 ? present[0] : AbortSignal.any(present);
}

function realPath(p: string, what: string): string {
  try {
    return realpathSync(p);
  } catch (cause) {
    throw badConfig(`the ${what} ${p} does not exist`, cause);
  }
}

function realDirectory(dir: string, what: string): string {
  const real = realPath(dir, what);
  if (!statSync(real).isDirectory()) throw badConfig(`the ${what} ${dir} is not a directory`);
  return real;
}

function checkRequest(request: RunRequest): void {
  checkArgv(request.argv, request.cwd);
  if (!Number.isFinite(request.timeoutMs) || request.timeoutMs <= 0) {
    throw badRequest(`timeoutMs must be a positive number, got ${request.timeoutMs}`);
  }
  const max = request.maxOutputBytes;
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) {
    throw badRequest(`maxOutputBytes must be a non-negative integer, got ${max}`);
  }
}

function checkArgv(argv: unknown, cwd: unknown): void {
  if (!Array.isArray(argv) || argv.length === 0 || argv[0] === '') {
    throw badRequest('argv must name a program');
  }
  if (argv.some((arg) => typeof arg !== 'string' || arg.includes('\0'))) {
    throw badRequest('argv entries must be strings without NUL bytes');
  }
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd.includes('\0'))) {
    throw badRequest('cwd must be a string without NUL bytes');
  }
}

function badRequest(message: string): WardenError {
  return new WardenError('sandbox.bad-request', message, { where: 'sandbox' });
}

function badConfig(message: string, cause?: unknown): WardenError {
  return new WardenError('sandbox.bad-config', message, {
    where: 'sandbox',
    ...(cause === undefined ? {} : { cause }),
  });
}
