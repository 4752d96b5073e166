import { z } from 'zod';
import { isWardenError } from '../errors.ts';
import type { RunResult } from '../sandbox/types.ts';
import { keepHeadAndTail, splitBudget } from './head-tail.ts';
import { toolError } from './tool-output.ts';
import type { CommandRun, Tool } from './types.ts';

export interface ShellOptions {
  defaultTimeoutMs?: number;
  maxTimeoutMs?: number;
  /** What the model reads of stdout and stderr together. */
  maxOutputBytes?: number;
  /** What the sandbox keeps of each stream; well above maxOutputBytes so the tail survives for us to cut. */
  sandboxOutputBytes?: number;
}

export function createShellTool(options: ShellOptions = {}): Tool<ShellArgs> {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 120_000;
  const maxTimeoutMs = options.maxTimeoutMs ?? 600_000;
  const maxOutputBytes = options.maxOutputBytes ?? 30 * 1024;
  const sandboxOutputBytes = options.sandboxOutputBytes ?? 1024 * 1024;

  const schema = z.strictObject({
    command: z
      .string()
      .min(1)
      .describe(
        'The command line to run with bash -c, in the workspace root, inside the sandbox (no network unless the policy allows it). Chain steps with && rather than separate calls.',
      ),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(`Time limit in milliseconds (default ${defaultTimeoutMs}, at most ${maxTimeoutMs}).`),
  });

  return {
    name: 'shell',
    description: `Run a shell command in the workspace, inside the sandbox, and return its exit code, stdout and stderr. Output over ${Math.round(maxOutputBytes / 1024)} KB keeps its beginning and end. Use it to build, run tests, and inspect the environment.`,
    schema,
    actions: (args) => [{ kind: 'shell', command: args.command }],
    async execute(args, context) {
      const notes: string[] = [];
      let timeoutMs = args.timeout_ms ?? defaultTimeoutMs;
      if (timeoutMs > maxTimeoutMs) {
        notes.push(`[timeout_ms ${timeoutMs} is above the maximum of ${maxTimeoutMs}; used ${maxTimeoutMs}]`);
        timeoutMs = maxTimeoutMs;
      }
      context.progress?.(`running ${firstLine(args.command)}`);

      let result: RunResult;
      try {
        result = await context.sandbox.run({
          argv: ['bash', '-c', args.command],
          timeoutMs,
          maxOutputBytes: sandboxOutputBytes,
          signal: context.signal,
        });
      } catch (error) {
        // The sandbox refusing (a policy denial, a missing runtime) is news for the model; anything else is a bug.
        if (isWardenError(error)) return toolError(`the command did not run: ${error.describe()}`);
        throw error;
      }

      const command: CommandRun = {
        command: args.command,
        exitCode: result.exitCode,
        timedOut: result.timedOut,
        durationMs: result.durationMs,
      };
      const [outBudget, errBudget] = splitBudget(
        Buffer.byteLength(result.stdout),
        Buffer.byteLength(result.stderr),
        maxOutputBytes,
      );
      const stdout = keepHeadAndTail(result.stdout, outBudget);
      const stderr = keepHeadAndTail(result.stderr, errBudget);

      const head = result.timedOut
        ? `timed out after ${seconds(timeoutMs)} and was stopped; pass a larger timeout_ms (at most ${maxTimeoutMs}) or run less at once`
        : `exit code: ${result.exitCode ?? 'none'}${result.signal ? ` (ended by ${result.signal})` : ''}`;
      const parts = [head, ...notes];
      if (result.truncated) parts.push('[the sandbox kept only part of the output]');
      if (stdout.text !== '') parts.push(`[stdout]\n${stdout.text.replace(/\n$/, '')}`);
      if (stderr.text !== '') parts.push(`[stderr]\n${stderr.text.replace(/\n$/, '')}`);
      if (stdout.text === '' && stderr.text === '') parts.push('(no output)');

      return {
        output: parts.join('\n'),
        ...(result.timedOut ? { isError: true } : {}),
        details: {
          exitCode: result.exitCode,
          timedOut: result.timedOut,
          timeoutMs,
          durationMs: result.durationMs,
          stdoutOmittedBytes: stdout.omitted,
          stderrOmittedBytes: stderr.omitted,
        },
        command,
        source: `shell: ${firstLine(args.command)}`,
      };
    },
  };
}

export interface ShellArgs {
  command: string;
  timeout_ms?: number | undefined;
}

function firstLine(command: string): string {
  const line = command.split('\n')[0] ?? '';
  return line.length > 80 || command.includes('\n') ? `${line.slice(0, 80)}…` : line;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
