import { z } from 'zod';
import type { GitPushBroker, PushMatch } from '../broker/git-push.ts';
import type { PullRequestBroker } from '../broker/pull-request.ts';
import { isWardenError } from '../errors.ts';
import { formatSize } from '../policy/quantities.ts';
import type { DiskVerdict, RunResult } from '../sandbox/types.ts';
import { keepHeadAndTail, splitBudget } from './head-tail.ts';
import { openPullRequest } from './shell-pull-request.ts';
import { toolError } from './tool-output.ts';
import type { CommandRun, Tool } from './types.ts';

export interface ShellOptions {
  defaultTimeoutMs?: number;
  maxTimeoutMs?: number;
  /** What the model reads of stdout and stderr together. */
  maxOutputBytes?: number;
  /** What the sandbox keeps of each stream; well above maxOutputBytes so the tail survives for us to cut. */
  sandboxOutputBytes?: number;
  /** Makes `git push` to the workspace's http(s) remotes outside the sandbox, with a held credential. */
  broker?: GitPushBroker;
  /** Makes `gh pr create --title T --body B …` outside the sandbox, through the API of the remote's host. */
  pullRequests?: PullRequestBroker;
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
    description: `Run a shell command in the workspace, inside the sandbox, and return its exit code, stdout and stderr. Output over ${Math.round(maxOutputBytes / 1024)} KB keeps its beginning and end. Use it to build, run tests, and inspect the environment.${options.broker ? ' A command that is only `git push <remote> <branch>` is made by Warden outside the sandbox, with the credential the policy allows.' : ''}${options.pullRequests ? ' So is `gh pr create --title T --body B [--base BRANCH] [--head BRANCH] [--draft]` (literal words only), which opens a pull request on the repository of origin.' : ''}`,
    schema,
    // A push or pull request the broker makes with a credential is also that credential's use, which the policy judges.
    actions: (args) => [
      { kind: 'shell', command: args.command },
      ...(options.broker?.actions(args.command) ?? []),
      ...(options.pullRequests?.actions(args.command) ?? []),
    ],
    async execute(args, context) {
      const notes: string[] = [];
      let timeoutMs = args.timeout_ms ?? defaultTimeoutMs;
      if (timeoutMs > maxTimeoutMs) {
        notes.push(`[timeout_ms ${timeoutMs} is above the maximum of ${maxTimeoutMs}; used ${maxTimeoutMs}]`);
        timeoutMs = maxTimeoutMs;
      }
      context.progress?.(`running ${firstLine(args.command)}`);

      const pullRequest = options.pullRequests?.match(args.command);
      if (pullRequest?.kind === 'refused')
        return toolError(`no pull request opened: ${pullRequest.reason}`, { brokered: true });
      if (pullRequest && options.pullRequests)
        return openPullRequest(options.pullRequests, pullRequest.plan, args.command, {
          timeoutMs,
          context,
          source: `shell: ${firstLine(args.command)}`,
        });

      const brokered = options.broker?.match(args.command);
      if (brokered?.kind === 'refused')
        return toolError(`not pushed: ${brokered.reason}`, { brokered: true });
      let result: RunResult;
      try {
        if (brokered && options.broker) {
          const pushed = await pushThroughBroker(options.broker, brokered, timeoutMs, context.signal);
          if ('refused' in pushed) return toolError(`not pushed: ${pushed.refused}`, { brokered: true });
          result = pushed.result;
          notes.push(pushed.note);
        } else {
          result = await context.sandbox.run({
            argv: ['bash', '-c', args.command],
            timeoutMs,
            maxOutputBytes: sandboxOutputBytes,
            signal: context.signal,
          });
        }
      } catch (error) {
        // The sandbox refusing (a policy denial, a missing runtime) is news for the model; anything else is a bug.
        if (isWardenError(error)) return toolError(`the command did not run: ${error.describe()}`);
        throw error;
      }

      const diskStop = result.disk?.stopped === true;
      const command: CommandRun = {
        command: args.command,
        exitCode: result.exitCode,
        timedOut: result.timedOut,
        durationMs: result.durationMs,
        ...(diskStop ? { limit: 'disk' as const } : {}),
      };
      // Redacted before the cut: a secret across it would leave halves no shape rule matches.
      const redact = context.redact ?? ((text: string) => text);
      const [fullOut, fullErr] = [redact(result.stdout), redact(result.stderr)];
      const [outBudget, errBudget] = splitBudget(
        Buffer.byteLength(fullOut),
        Buffer.byteLength(fullErr),
        maxOutputBytes,
      );
      const stdout = keepHeadAndTail(fullOut, outBudget);
      const stderr = keepHeadAndTail(fullErr, errBudget);

      const head = result.timedOut
        ? `timed out after ${seconds(timeoutMs)} and was stopped; pass a larger timeout_ms (at most ${maxTimeoutMs}) or run less at once`
        : `exit code: ${result.exitCode ?? 'none'}${result.signal ? ` (ended by ${result.signal})` : ''}`;
      const parts = [...(result.disk ? [diskNote(result.disk)] : []), head, ...notes];
      if (result.truncated) parts.push('[the sandbox kept only part of the output]');
      if (stdout.text !== '') parts.push(`[stdout]\n${stdout.text.replace(/\n$/, '')}`);
      if (stderr.text !== '') parts.push(`[stderr]\n${stderr.text.replace(/\n$/, '')}`);
      if (stdout.text === '' && stderr.text === '') parts.push('(no output)');

      return {
        output: parts.join('\n'),
        ...(result.timedOut || diskStop ? { isError: true } : {}),
        details: {
          exitCode: result.exitCode,
          timedOut: result.timedOut,
          ...(result.disk ? { disk: result.disk } : {}),
          timeoutMs,
          durationMs: result.durationMs,
          stdoutOmittedBytes: stdout.omitted,
          stderrOmittedBytes: stderr.omitted,
          ...(brokered?.kind === 'push'
            ? {
                brokered: {
                  remote: brokered.plan.remote,
                  ...(brokered.plan.credential ? { credential: brokered.plan.credential.name } : {}),
                },
              }
            : {}),
        },
        command,
        source: `shell: ${firstLine(args.command)}`,
      };
    },
  };
}

/** The broker's push as a command result, and a line saying who made it and with what. */
async function pushThroughBroker(
  broker: GitPushBroker,
  matched: Extract<PushMatch, { kind: 'push' }>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ result: RunResult; note: string } | { refused: string }> {
  const { plan } = matched;
  const pushed = await broker.push(plan, { timeoutMs, signal });
  if (pushed.refused !== undefined) return { refused: pushed.refused };
  const how = plan.credential
    ? `with credential "${plan.credential.name}"`
    : `without a credential (${plan.noCredential ?? 'none held'})`;
  return {
    result: { ...pushed, signal: null, truncated: false },
    note: `[pushed by Warden's broker outside the sandbox, to remote "${plan.remote}", ${how}]`,
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

/** What the model must know to go on: the limit, what is used, and that only deleting frees room. */
function diskNote(disk: DiskVerdict): string {
  const use = `${formatSize(disk.usedBytes)} used of ${formatSize(disk.maxBytes)}`;
  return disk.stopped
    ? `stopped by the disk limit: the workspace passed its limit (limits.disk; ${use}) and the command was ended. What it wrote is still there: delete what is not needed before writing more`
    : `[the workspace is over its disk limit (limits.disk; ${use}): commands cannot write files until some are deleted]`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
