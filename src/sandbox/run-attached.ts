import { spawn } from 'node:child_process';
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
  /** SIGKILLs the sandbox's init, which takes every process inside with it, then bwrap. */
  kill(): void;
  readonly exited: Promise<AttachedExit>;
}

/**
 * Runs bwrap with the terminal handed through, for a program that lives as long as a session (a
 * third-party agent) rather than one command. bwrap gets a process group of its own, so a Ctrl-C
 * at the terminal reaches Warden alone, which decides what the program gets (`signal`); the
 * sandbox's `--new-session` keeps the terminal from being its controlling one.
 */
export function startAttached(invocation: AttachedInvocation): Promise<AttachedProcess> {
  return new Promise((resolve, reject) => {
    const child = withBwrapStdio(invocation, ['inherit', 'inherit', 'inherit'], (stdio) => {
      const { file, args } = bwrapCommandLine(invocation);
      // No environment: bwrap's own is readable inside as /proc/1/environ (see run-process.ts).
      return spawn(file, args, { stdio, env: {}, detached: true });
    });
    let finished = false;
    const exited = new Promise<AttachedExit>((done) => {
      child.on('close', (exitCode, signal) => {
        finished = true;
        done({ exitCode, signal });
      });
    });
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
        signal(name) {
          for (const init of inside()) {
            for (const pid of childrenOf(init)) tryKill(pid, name);
          }
        },
        kill() {
          for (const init of inside()) tryKill(init, 'SIGKILL');
          child.kill('SIGKILL');
        },
        exited,
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
