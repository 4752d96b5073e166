import { existsSync } from 'node:fs';
import { WardenError } from '../errors.ts';
import {
  type CgroupBase,
  type CgroupController,
  type CommandCgroup,
  createCommandCgroup,
  probeCgroups,
} from './cgroups.ts';
import type { RunResult } from './types.ts';

/**
 * Resource limits on each command's whole process tree. File size and CPU time are rlimits set
 * inside the sandbox (inherited by every descendant); process count and memory are cgroups the
 * bwrap process joins before it can fork. A limit that cannot be enforced here is an error at
 * setup, never a run without it.
 */
export interface SandboxLimits {
  /** Memory (RSS plus page cache, no swap) of the whole tree; the kernel OOM-kills past it. */
  memoryBytes?: number;
  /** Processes and threads alive at once in the tree; fork fails with EAGAIN past it. */
  processes?: number;
  /** Largest file any process may write (RLIMIT_FSIZE): SIGXFSZ / EFBIG past it. */
  fileSizeBytes?: number;
  /** CPU seconds per process (RLIMIT_CPU): SIGXCPU at the limit, SIGKILL a second later. */
  cpuSeconds?: number;
  /** The workspace's total disk use; watched around each command (disk-limit.ts), not by the limiter. */
  diskBytes?: number;
}

export type LimitName = keyof SandboxLimits;

/** Which limits this host can enforce, and why not when it cannot. */
export interface LimitsSupport {
  enforceable: Record<LimitName, boolean>;
  reasons: Partial<Record<LimitName, string>>;
  /** Where per-command cgroups go, per controller that works. */
  cgroups: Partial<Record<CgroupController, CgroupBase>>;
}

/**
 * bwrap's own two processes (the monitor outside and the reaper as pid 1) sit in the cgroup too;
 * the limit the caller gives is for the command's tree.
 */
export const BWRAP_PROCESSES = 2;

/** Written by the launcher when joining the cgroup fails; see `cgroupLauncher`. */
export const JOIN_FAILED = 'warden: could not join the command cgroup';
const JOIN_FAILED_EXIT = 125;

const PRLIMIT_PATHS = ['/usr/bin/prlimit', '/bin/prlimit'];

/** Probes the host: rlimits always work; cgroups only where a writable hierarchy exists. */
export function limitsSupport(): LimitsSupport {
  const { bases, reasons: cgroupReasons } = probeCgroups();
  const reasons: Partial<Record<LimitName, string>> = {};
  if (cgroupReasons.pids !== undefined) reasons.processes = cgroupReasons.pids;
  if (cgroupReasons.memory !== undefined) reasons.memoryBytes = cgroupReasons.memory;
  return {
    enforceable: {
      fileSizeBytes: true,
      cpuSeconds: true,
      diskBytes: true,
      processes: bases.pids !== undefined,
      memoryBytes: bases.memory !== undefined,
    },
    reasons,
    cgroups: bases,
  };
}

/** What a run looks like with the limits applied. */
export interface LimitedLaunch {
  command: string[];
  /** Present when the run needs cgroups: runs outside, joins them, execs bwrap. */
  launcher?: string[];
}

export interface Limiter {
  /**
   * Runs `run` with the limits in place and removes the command's cgroups afterwards. `fileSizeBytes`
   * lowers the file-size limit for this run (to the room the disk limit leaves; 0 is no file writes).
   */
  enforce(
    command: readonly string[],
    run: (launch: LimitedLaunch) => Promise<RunResult>,
    override?: { fileSizeBytes?: number },
  ): Promise<RunResult>;
}

/**
 * Validates the limits and checks them against the host once, at sandbox creation. Throws
 * `sandbox.bad-config` for a malformed value, `sandbox.limits_unavailable` for one this host
 * cannot enforce.
 */
export function createLimiter(limits: SandboxLimits | undefined, support?: LimitsSupport): Limiter {
  const requested = checkLimits(limits ?? {});
  const needsCgroup = requested.processes !== undefined || requested.memoryBytes !== undefined;
  const fileSize = (override?: { fileSizeBytes?: number }): Pick<SandboxLimits, 'fileSizeBytes'> => {
    const bytes = Math.min(
      requested.fileSizeBytes ?? Number.POSITIVE_INFINITY,
      override?.fileSizeBytes ?? Number.POSITIVE_INFINITY,
    );
    return Number.isFinite(bytes) ? { fileSizeBytes: Math.max(0, Math.floor(bytes)) } : {};
  };
  const prlimit = PRLIMIT_PATHS.find((p) => existsSync(p));
  if (Object.keys(requested).length === 0)
    return {
      enforce: (command, run, override) =>
        run({ command: rlimitCommand(fileSize(override), command, prlimit) }),
    };
  const host = support ?? (needsCgroup ? limitsSupport() : undefined);
  if (host !== undefined) {
    const missing = (Object.keys(requested) as LimitName[]).filter((name) => !host.enforceable[name]);
    if (missing.length > 0) {
      const why = missing.map((name) => `${name}: ${host.reasons[name] ?? 'not supported here'}`).join('; ');
      throw new WardenError('sandbox.limits_unavailable', `requested limits cannot be enforced: ${why}`, {
        where: 'sandbox',
        hint:
          'run Warden as root or in a cgroup it may manage (cgroup v2 with the pids and memory controllers ' +
          'delegated, e.g. `systemd-run --scope -p Delegate=yes`), or drop the processes/memory limits',
      });
    }
  }
  return {
    async enforce(command, run, override) {
      const inner = rlimitCommand({ ...requested, ...fileSize(override) }, command, prlimit);
      if (!needsCgroup || host === undefined) return run({ command: inner });
      let cgroup: CommandCgroup;
      try {
        cgroup = createCommandCgroup(host.cgroups, {
          ...(requested.processes === undefined ? {} : { pids: requested.processes + BWRAP_PROCESSES }),
          ...(requested.memoryBytes === undefined ? {} : { memoryBytes: requested.memoryBytes }),
        });
      } catch (cause) {
        throw new WardenError(
          'sandbox.limits_unavailable',
          `the command's cgroup could not be created: ${(cause as Error).message}`,
          {
            where: 'sandbox',
            cause,
          },
        );
      }
      try {
        const result = await run({ command: inner, launcher: cgroupLauncher(cgroup.procsFiles) });
        if (result.exitCode === JOIN_FAILED_EXIT && result.stderr.includes(JOIN_FAILED)) {
          throw new WardenError(
            'sandbox.limits_unavailable',
            'the command could not be put into its cgroup',
            {
              where: 'sandbox',
              hint: result.stderr.trim(),
            },
          );
        }
        return result;
      } finally {
        await cgroup.release();
      }
    },
  };
}

function checkLimits(limits: SandboxLimits): SandboxLimits {
  const out: SandboxLimits = {};
  for (const name of ['memoryBytes', 'processes', 'fileSizeBytes', 'cpuSeconds', 'diskBytes'] as const) {
    const value = limits[name];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new WardenError('sandbox.bad-config', `limits.${name} must be a positive integer, got ${value}`, {
        where: 'sandbox',
      });
    }
    out[name] = value;
  }
  return out;
}

/**
 * The command under the rlimits, run inside the sandbox so they bind it and its descendants but
 * not bwrap. prlimit takes bytes; POSIX sh's `ulimit -f` counts 512-byte blocks. Values travel as
 * arguments, never inside the script text.
 */
export function rlimitCommand(
  limits: Pick<SandboxLimits, 'fileSizeBytes' | 'cpuSeconds'>,
  command: readonly string[],
  prlimit: string | undefined,
): string[] {
  const { fileSizeBytes, cpuSeconds } = limits;
  if (fileSizeBytes === undefined && cpuSeconds === undefined) return [...command];
  if (prlimit !== undefined) {
    return [
      prlimit,
      ...(fileSizeBytes === undefined ? [] : [`--fsize=${fileSizeBytes}`]),
      // Soft then hard: SIGXCPU first, which a program may catch to report, then SIGKILL.
      ...(cpuSeconds === undefined ? [] : [`--cpu=${cpuSeconds}:${cpuSeconds + 1}`]),
      '--',
      ...command,
    ];
  }
  return [
    '/bin/sh',
    '-c',
    'ulimit -f "$1" && ulimit -t "$2" && shift 2 && exec "$@"',
    'sh',
    fileSizeBytes === undefined
      ? 'unlimited'
      : String(fileSizeBytes === 0 ? 0 : Math.max(1, Math.floor(fileSizeBytes / 512))),
    cpuSeconds === undefined ? 'unlimited' : String(cpuSeconds),
    ...command,
  ];
}

/**
 * Outside the sandbox: write our own pid into each cgroup.procs, then exec the rest (bwrap and
 * its arguments), so bwrap is in the cgroup before it forks anything. Paths are arguments.
 */
export function cgroupLauncher(procsFiles: readonly string[]): string[] {
  const script =
    'for f; do [ "$f" = -- ] && break; ' +
    `echo $$ > "$f" || { echo "${JOIN_FAILED}: $f" >&2; exit ${JOIN_FAILED_EXIT}; }; shift; done; ` +
    'shift; exec "$@"';
  return ['/bin/sh', '-c', script, 'sh', ...procsFiles, '--'];
}
