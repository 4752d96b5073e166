import { WardenError } from '../errors.ts';
import type { DiskLimit } from './disk-limit.ts';
import type { Limiter } from './limits.ts';
import { createOutputBuffer } from './output-buffer.ts';
import { type AttachedInvocation, startPiped } from './run-attached.ts';
import type { SandboxedExit, SandboxedProcess } from './types.ts';

/** One program's bwrap invocation before the limits wrap its command. */
export type Launch = Omit<AttachedInvocation, 'launcher' | 'onSpawn' | 'command'> & { command: string[] };

/** Enough of a crashing program's stderr to say why; the rest of a chatty one is dropped. */
export const STDERR_TAIL_BYTES = 8 * 1024;

export interface StartSandboxedOptions {
  launch: Launch;
  limiter: Limiter;
  disk: DiskLimit | undefined;
  signal: AbortSignal | undefined;
}

/**
 * Starts a long-lived program in the sandbox with piped stdio. The limiter holds its cgroup for as
 * long as it runs; the disk watch runs alongside and kills it past the limit, as for a command.
 * Resolves once bwrap is running; a failure to start rejects, a program that dies at once does not
 * (its exit, with `stderrTail`, says why).
 */
export async function startSandboxed(options: StartSandboxedOptions): Promise<SandboxedProcess> {
  const { launch, limiter, disk, signal } = options;
  if (signal?.aborted) {
    throw new WardenError('sandbox.aborted', 'the program was cancelled before it started', {
      where: 'sandbox',
    });
  }
  const { command, ...invocation } = launch;
  const watch = await disk?.begin();
  const { promise: started, resolve: onStart, reject: onFail } = Promise.withResolvers<SandboxedProcess>();
  const { promise: exited, resolve: onExit } = Promise.withResolvers<SandboxedExit>();
  const tail = createOutputBuffer(STDERR_TAIL_BYTES, 0);
  // The buffer marks dropped bytes with a leading newline before the marker; a tail has no head.
  const stderrTail = (): string => tail.text().replace(/^\n/, '');

  limiter
    .enforce(
      command,
      async (limited) => {
        const program = await startPiped({
          ...invocation,
          command: limited.command,
          ...(limited.launcher === undefined ? {} : { launcher: limited.launcher }),
          ...(watch === undefined ? {} : { onSpawn: (pid: number) => watch.attach(pid) }),
        });
        program.stderr.on('data', (chunk: Buffer) => tail.push(chunk));
        const kill = (): void => program.kill();
        signal?.addEventListener('abort', kill, { once: true });
        watch?.signal.addEventListener('abort', kill, { once: true });
        onStart({
          stdin: program.stdin,
          stdout: program.stdout,
          stderr: program.stderr,
          stderrTail,
          kill,
          exited,
        });
        const exit = await program.exited;
        signal?.removeEventListener('abort', kill);
        // The limiter reads stderr to tell a launcher that could not join the cgroup.
        return {
          ...exit,
          stdout: '',
          stderr: stderrTail(),
          timedOut: false,
          truncated: false,
          durationMs: 0,
        };
      },
      watch === undefined ? undefined : { fileSizeBytes: watch.room },
    )
    .then(
      async (result) => {
        const verdict = await watch?.end();
        onExit({
          exitCode: result.exitCode,
          signal: result.signal,
          ...(verdict === undefined ? {} : { disk: verdict }),
        });
      },
      async (error: unknown) => {
        await watch?.end();
        onFail(error);
        tail.push(Buffer.from(`\nwarden: ${error instanceof Error ? error.message : String(error)}\n`));
        onExit({ exitCode: null, signal: null });
      },
    );
  return started;
}
