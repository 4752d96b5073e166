import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { WardenError } from '../errors.ts';
import {
  type BwrapInvocation,
  bwrapCommandLine,
  childrenOf,
  feedSetup,
  withBwrapStdio,
} from './run-process.ts';
import type { DiskVerdict } from './types.ts';

export type AttachedInvocation = Omit<BwrapInvocation, 'stdin' | 'timeoutMs' | 'maxOutputBytes' | 'signal'>;

export interface AttachedExit {
  exitCode: number | null;
  signal: string | null;
  /** Present when the workspace is at or over its disk limit as the program ends. */
  disk?: DiskVerdict;
}

/** A sandboxed program on the user's terminal: its stdin, stdout and stderr are Warden's own. */
export interface AttachedProcess {
  /** Sends a signal to the program (the sandbox's process after its init): Ctrl-C, a resize. */
  signal(name: NodeJS.Signals): void;
  /**
   * SIGKILLs the sandbox's init, which takes every process inside with it, then bwrap; the exit
   * then says `SIGKILL` with no exit code.
   */
  kill(): void;
  readonly exited: Promise<AttachedExit>;
}

/** A sandboxed program whose stdin, stdout and stderr are pipes to Warden (an MCP server). */
export interface PipedProcess extends AttachedProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
}

/**
 * After bwrap exits, how long to wait for its pipes to close before giving up on them: nothing in
 * the sandbox outlives bwrap's pid namespace, so this only guards against a kernel that differs.
 */
const PIPE_GRACE_MS = 2000;

/**
 * Runs bwrap with the terminal handed through, for a program that lives as long as a session (a
 * third-party agent) rather than one command. bwrap gets a process group of its own, so a Ctrl-C
 * at the terminal reaches Warden alone, which decides what the program gets (`signal`); the
 * sandbox's `--new-session` keeps the terminal from being its controlling one.
 */
export function startAttached(
  invocation: AttachedInvocation,
  std: 'inherit' | 'ignore' = 'inherit',
): Promise<AttachedProcess> {
  return start(invocation, std).then(({ handle }) => handle);
}

/**
 * Runs bwrap with pipes for stdin, stdout and stderr, for a long-lived program that speaks over
 * them. Its own process group too: a Ctrl-C at the terminal killing bwrap alone would leave the
 * sandbox running, reparented to init.
 */
export function startPiped(invocation: AttachedInvocation): Promise<PipedProcess> {
  return start(invocation, 'pipe').then(({ child, handle }) => {
    const [stdin, stdout, stderr] = [child.stdin, child.stdout, child.stderr];
    if (stdin === null || stdout === null || stderr === null)
      throw new Error('bwrap was started without pipes');
    // A write to a program that has exited fails with EPIPE: its exit says more, and says it later.
    stdin.on('error', () => {});
    return { ...handle, stdin, stdout, stderr };
  });
}

function start(
  invocation: AttachedInvocation,
  std: 'inherit' | 'ignore' | 'pipe',
): Promise<{ child: ChildProcess; handle: AttachedProcess }> {
  return new Promise((resolve, reject) => {
    const child = withBwrapStdio(invocation, [std, std, std], (stdio) => {
      const { file, args } = bwrapCommandLine(invocation);
      // No environment: bwrap's own is readable inside as /proc/1/environ (see run-process.ts).
      return spawn(file, args, { stdio, env: {}, detached: true });
    });
    let finished = false;
    let killed = false;
    const exited = new Promise<AttachedExit>((done) => {
      child.on('close', (exitCode, signal) => {
        finished = true;
        // Killing the sandbox's pid 1 can let bwrap exit first, relaying it as status 137 before our
        // SIGKILL reaches bwrap itself: either way Warden killed it, and says so the same way.
        const killedRun = killed && (signal === 'SIGKILL' || exitCode === 128 + 9);
        done(killedRun ? { exitCode: null, signal: 'SIGKILL' } : { exitCode, signal });
      });
    });
    if (std === 'pipe') {
      child.on('exit', () => {
        setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, PIPE_GRACE_MS).unref();
      });
    }
    child.on('error', (error) => {
      reject(
        new WardenError('sandbox.unavailable', `bubblewrap could not be started: ${error.message}`, {
          where: 'sandbox',
          hint: 'install bubblewrap (`apt-get install bubblewrap`) or fix bwrapPath',
          cause: error,
        }),
      );
    });
    child.on('spawn', () => {
      if (child.pid !== undefined) invocation.onSpawn?.(child.pid);
      feedSetup(child, invocation);
      // Only while bwrap still holds them as children can the pids not have been reused.
      const inside = (): number[] => (finished || child.pid === undefined ? [] : childrenOf(child.pid));
      resolve({
        child,
        handle: {
          signal(name) {
            for (const init of inside()) {
              for (const pid of childrenOf(init)) tryKill(pid, name);
            }
          },
          kill() {
            if (finished) return;
            killed = true;
            for (const init of inside()) tryKill(init, 'SIGKILL');
            child.kill('SIGKILL');
          },
          exited,
        },
      });
    });
  });
}

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}
