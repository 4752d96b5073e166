import type { EventSink } from '../agent/events.ts';
import { launchSession } from '../agent/launch.ts';
import { WardenError } from '../errors.ts';
import { createHeadlessApprover, createTerminalApprover, type HeadlessMode } from '../policy/approvals.ts';
import { parseFlags } from './args.ts';
import { planReceipt, type ReceiptPlan, writeReceipt } from './exec-receipt.ts';
import { createLiveView } from './live-view.ts';
import type { CommandIo } from './main.ts';
import { openLocalSetup, SESSION_FLAGS, SESSION_FLAGS_HELP } from './session-setup.ts';
import { forTerminal } from './terminal.ts';

/** Model errors that mean the setup is wrong (exit 2), whenever they surface. */
export const CONFIGURATION_ERRORS = new Set([
  'model.auth',
  'model.credentials',
  'model.base_url',
  'model.unknown',
]);

export const EXEC_HELP = `Usage: warden exec [options] "<task>"

Runs the agent headless on the repository until the task is done.

Options:
${SESSION_FLAGS_HELP}
  --json              print one JSON event per line on stdout
  --approvals MODE    what an "ask" does: ask (a prompt; the default in a terminal), deny (the
                      default without one), or fail (end the session)
  --receipt FILE      when the session ends, commit its work tree (kept as refs/warden/sessions/ID,
                      HEAD untouched) and write a signed receipt of it to FILE: base and resulting
                      commit, diff digest, policy, models, the audit log's signed digest (see
                      warden receipt verify). Needs a git repository with a commit

Exit status: 0 the task finished, 1 it failed or hit a limit, 2 usage or configuration error.`;

export async function execCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('exec', args, {
    ...SESSION_FLAGS,
    json: { type: 'boolean' },
    approvals: { type: 'string' },
    receipt: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${EXEC_HELP}\n`);
    return 0;
  }
  const task = positionals.join(' ').trim();
  if (!task) throw new WardenError('usage', 'no task given', { hint: 'warden exec "fix the failing test"' });
  const approvals = approvalMode(values.approvals, io.stdinIsTty);
  const receipt =
    values.receipt === undefined ? undefined : await planReceipt(values.receipt, values.repo, io);
  return runHeadless(task, values, io, {
    json: values.json === true,
    approvals,
    ...(receipt ? { receipt } : {}),
  });
}

/**
 * One run of a session to its report, shown as the live view (or JSON lines): `warden exec`, and
 * `warden chat` when stdout is not a terminal.
 */
export async function runHeadless(
  task: string,
  values: Parameters<typeof openLocalSetup>[0],
  io: CommandIo,
  options: { json: boolean; approvals: 'ask' | HeadlessMode; receipt?: ReceiptPlan },
): Promise<number> {
  const setup = await openLocalSetup(values, io);
  const view = options.json ? undefined : createLiveView({ write: io.stdout, tty: io.stdoutIsTty });
  const sink: EventSink = view ? view.sink : (event) => io.stdout(`${JSON.stringify(event)}\n`);

  const cancel = new AbortController();
  const onInterrupt = (): void => {
    if (cancel.signal.aborted) process.exit(130);
    io.stderr('warden: stopping after the current step (Ctrl-C again to quit now)\n');
    cancel.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    const { report, sessionId } = await launchSession({
      ...setup.launch,
      task,
      model: setup.model,
      sinks: [sink],
      approver:
        options.approvals === 'ask'
          ? createTerminalApprover({ input: io.stdin, output: process.stderr, clean: forTerminal })
          : createHeadlessApprover(options.approvals),
      ...(values.resume ? { resume: values.resume } : {}),
      signal: cancel.signal,
    });
    if (options.receipt)
      await writeReceipt(options.receipt, { id: sessionId, report, setup }, io, options.json);
    if (report.error && CONFIGURATION_ERRORS.has(report.error.code)) {
      // Credentials rejected on the first call are a setup problem, not a failed task.
      io.stderr(`warden: ${report.error.message}\n`);
      return 2;
    }
    return report.status === 'finished' ? 0 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    view?.close();
    await setup.close();
  }
}

export function approvalMode(flag: string | undefined, interactive: boolean): 'ask' | HeadlessMode {
  if (flag === undefined) return interactive ? 'ask' : 'deny';
  if (flag === 'deny' || flag === 'fail') return flag;
  if (flag === 'ask') {
    if (!interactive) {
      throw new WardenError('usage', '--approvals ask needs a terminal to ask in', {
        hint: 'use --approvals deny or --approvals fail in headless runs',
      });
    }
    return 'ask';
  }
  throw new WardenError('usage', `--approvals must be ask, deny or fail, got "${flag}"`);
}
