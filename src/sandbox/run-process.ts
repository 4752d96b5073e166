import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { WardenError } from '../errors.ts';
import { ARGS_FD, FIRST_FREE_FD, GROUP_FD, HOSTS_FD, PASSWD_FD, SECCOMP_FD } from './bwrap-args.ts';
import { createOutputBuffer } from './output-buffer.ts';
import type { RunResult } from './types.ts';

export interface BwrapInvocation {
  bwrapPath: string;
  /** Setup arguments, read by bwrap from ARGS_FD. */
  setup: string;
  /** Contents bwrap copies into the sandbox from the data descriptors. */
  files: { passwd: string; group: string; hosts: string };
  /** A seccomp program for SECCOMP_FD; the setup must then say `--seccomp SECCOMP_FD`. */
  seccomp?: Uint8Array;
  /**
   * A program and its arguments that run first, outside the sandbox, and end by exec'ing the
   * rest of their argv (bwrap and its arguments); see limits.ts's cgroup launcher.
   */
  launcher?: readonly string[];
  command: readonly string[];
  /** Descriptors this process would leak into the child (see inherited-fds.ts). */
  inherited: readonly number[];
  stdin: string | undefined;
  timeoutMs: number;
  maxOutputBytes: number;
  signal: AbortSignal | undefined;
  /** Told bwrap's pid once it is started (the disk watch looks at the tree below it). */
  onSpawn?: (pid: number) => void;
}

/**
 * After bwrap exits, how long to wait for its output pipes to close before giving up on them.
 * Nothing in the sandbox outlives bwrap (its pid namespace dies with it), so this only guards
 * against a kernel or bwrap that behaves otherwise.
 */
const PIPE_GRACE_MS = 2000;

/**
 * Runs bwrap and collects the outcome. Timeout and abort SIGKILL bwrap and the sandbox's pid 1,
 * whose death takes the whole pid namespace with it: every descendant. Killing bwrap alone is not
 * enough: `--die-with-parent` ties the sandbox to bwrap's parent (Warden), not to bwrap, and a
 * sandbox whose bwrap was killed was seen to live on, reparented to init.
 */
export function runBwrap(invocation: BwrapInvocation): Promise<RunResult> {
  const started = performance.now();
  if (invocation.signal?.aborted) return Promise.resolve(killedBeforeStart());
  return withBwrapStdio(
    invocation,
    [invocation.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    (stdio) => collect(invocation, stdio, started),
  );
}

export type StdioEntry = Exclude<StdioOptions, string>[number];

/**
 * bwrap's descriptor table: `std` as stdin/out/err, a pipe for each setup descriptor, and
 * /dev/null over every descriptor this process would otherwise leak to it.
 */
export function withBwrapStdio<T>(
  invocation: Pick<BwrapInvocation, 'seccomp' | 'inherited'>,
  std: StdioEntry[],
  spawnWith: (stdio: StdioEntry[]) => T,
): T {
  const devNull = invocation.inherited.length > 0 ? openSync('/dev/null', 'r') : undefined;
  try {
    const stdio: StdioEntry[] = [...std];
    for (const fd of [ARGS_FD, PASSWD_FD, GROUP_FD, HOSTS_FD]) stdio[fd] = 'pipe';
    if (invocation.seccomp !== undefined) stdio[SECCOMP_FD] = 'pipe';
    for (const fd of invocation.inherited) {
      if (fd >= FIRST_FREE_FD && devNull !== undefined) {
        for (let i = stdio.length; i < fd; i++) stdio[i] = 'ignore';
        stdio[fd] = devNull;
      }
    }
    return spawnWith(stdio);
  } finally {
    // The child holds its own copy once spawn returned.
    if (devNull !== undefined) closeSync(devNull);
  }
}

/** The program to spawn and its arguments: the launcher, if any, then bwrap reading its setup. */
export function bwrapCommandLine(invocation: Pick<BwrapInvocation, 'launcher' | 'bwrapPath' | 'command'>): {
  file: string;
  args: string[];
} {
  const [file = invocation.bwrapPath, ...args] = [
    ...(invocation.launcher ?? []),
    invocation.bwrapPath,
    '--args',
    String(ARGS_FD),
    '--',
    ...invocation.command,
  ];
  return { file, args };
}

/**
 * Writes bwrap's setup descriptors. bwrap may exit before reading its inputs (a bad option, a
 * command that ignores stdin): the resulting EPIPE on our side says nothing the exit status does not.
 */
export function feedSetup(
  child: ChildProcess,
  invocation: Pick<BwrapInvocation, 'setup' | 'files' | 'seccomp'>,
): void {
  // Node types stdio as a five-slot tuple; the descriptors above 4 are there all the same.
  const pipes = child.stdio as unknown as (Writable | null | undefined)[];
  feed(pipes[ARGS_FD], invocation.setup);
  feed(pipes[PASSWD_FD], invocation.files.passwd);
  feed(pipes[GROUP_FD], invocation.files.group);
  feed(pipes[HOSTS_FD], invocation.files.hosts);
  if (invocation.seccomp !== undefined) feed(pipes[SECCOMP_FD], invocation.seccomp);
}

function feed(stream: Writable | null | undefined, data: string | Uint8Array): void {
  stream?.on('error', () => {});
  stream?.end(data);
}

function collect(invocation: BwrapInvocation, stdio: StdioOptions, started: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const { file, args } = bwrapCommandLine(invocation);
    const child = spawn(file, args, {
      stdio,
      // bwrap's own environment is readable inside as /proc/1/environ (its reaper is pid 1), so
      // it gets none: the sandbox's variables travel as --setenv through the args descriptor.
      env: {},
    });
    if (child.pid !== undefined) invocation.onSpawn?.(child.pid);
    const stdout = createOutputBuffer(invocation.maxOutputBytes);
    const stderr = createOutputBuffer(invocation.maxOutputBytes);
    let timedOut = false;
    let graceTimer: NodeJS.Timeout | undefined;

    let finished = false;
    let killed = false;
    const kill = (): void => {
      killed = true;
      // The sandbox's pid 1 first, while bwrap still holds it as its child (so the pid cannot have
      // been reused), then bwrap. Only while the run is on: afterwards the pids mean nothing.
      if (!finished && child.pid !== undefined) {
        for (const pid of childrenOf(child.pid)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, invocation.timeoutMs);
    invocation.signal?.addEventListener('abort', kill, { once: true });
    const cleanup = (): void => {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      invocation.signal?.removeEventListener('abort', kill);
    };

    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    feedSetup(child, invocation);
    if (invocation.stdin !== undefined) feed(child.stdin, invocation.stdin);

    child.on('error', (error) => {
      cleanup();
      reject(
        new WardenError('sandbox.unavailable', `bubblewrap could not be started: ${error.message}`, {
          where: 'sandbox',
          hint: 'install bubblewrap (`apt-get install bubblewrap`) or fix bwrapPath',
          cause: error,
        }),
      );
    });
    child.on('exit', () => {
      graceTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, PIPE_GRACE_MS);
    });
    child.on('close', (code, signal) => {
      finished = true;
      cleanup();
      // Killing the sandbox's pid 1 can let bwrap exit first, relaying it as status 137 before our
      // SIGKILL reaches bwrap itself; either way the run was killed, and says so the same way.
      const killedRun = killed && (signal === 'SIGKILL' || code === 128 + 9);
      resolve({
        exitCode: killedRun ? null : code,
        signal: killedRun ? 'SIGKILL' : signal,
        stdout: stdout.text(),
        stderr: stderr.text(),
        timedOut,
        truncated: stdout.truncated || stderr.truncated,
        durationMs: Math.round(performance.now() - started),
      });
    });
  });
}

/** An abort that came before the start: nothing ran, reported as a kill so callers see no success. */
function killedBeforeStart(): RunResult {
  return {
    exitCode: null,
    signal: 'SIGKILL',
    stdout: '',
    stderr: '',
    timedOut: false,
    truncated: false,
    durationMs: 0,
  };
}

/** The direct children of a live process, from the kernel's own list. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
