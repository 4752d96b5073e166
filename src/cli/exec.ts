import { resolve } from 'node:path';
import type { EventSink } from '../agent/events.ts';
import { launchSession } from '../agent/launch.ts';
import type { Limits } from '../agent/limits.ts';
import { policyLimits } from '../agent/policy-settings.ts';
import { openSessionGuards } from '../agent/session-guards.ts';
import { openSessionParts } from '../agent/session-parts.ts';
import type { Durability } from '../audit/index.ts';
import { WardenError } from '../errors.ts';
import { loadModelConfig, resolveModel } from '../models/index.ts';
import { createHeadlessApprover, createTerminalApprover, type HeadlessMode } from '../policy/approvals.ts';
import { loadPolicy } from '../policy/load.ts';
import { directoryFlag, parseFlags, positiveNumber } from './args.ts';
import { auditDir, auditKeyDir } from './audit-paths.ts';
import { createLiveView } from './live-view.ts';
import type { CommandIo } from './main.ts';
import { locateRepo } from './repo.ts';
import { forTerminal } from './terminal.ts';

/** Model errors that mean the setup is wrong (exit 2), whenever they surface. */
const CONFIGURATION_ERRORS = new Set(['model.auth', 'model.credentials', 'model.base_url', 'model.unknown']);

const MAX_WALL_TIME_SECONDS = 7 * 24 * 3600;

export const EXEC_HELP = `Usage: warden exec [options] "<task>"

Runs the agent headless on the repository until the task is done.

Options:
  --repo DIR          the repository to work in (default: the git repository of the current directory)
  --model ID          provider:model, a model named in warden.config.*, or script:FILE
  --resume ID         continue session ID (see: warden sessions list) with a new instruction
  --json              print one JSON event per line on stdout
  --max-turns N       stop after N model turns (default 100)
  --max-time SECONDS  stop after this much wall time (default 3600)
  --max-tokens N      stop after N input+output tokens (default 5000000)
  --max-cost USD      stop after this much spend, for priced models (default 20)
  --policy FILE       the one-page policy every action is judged by (default: Warden's own, see
                      warden policy explain); a repository's policy file is never picked up by itself
  --audit-dir DIR     where the signed, hash-chained audit log goes (default .warden/audit)
  --audit-durability group (default: an append returns once on disk, fsyncs shared by concurrent
                      appends) | fsync-each (one fsync per record) | none (the OS flushes; fastest,
                      a crash can lose the tail, which verify then reports)
  --approvals MODE    what an "ask" does: ask (a prompt; the default in a terminal), deny (the
                      default without one), or fail (end the session)

Exit status: 0 the task finished, 1 it failed or hit a limit, 2 usage or configuration error.`;

export async function execCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('exec', args, {
    repo: { type: 'string' },
    model: { type: 'string', short: 'm' },
    resume: { type: 'string' },
    json: { type: 'boolean' },
    'max-turns': { type: 'string' },
    'max-time': { type: 'string' },
    'max-tokens': { type: 'string' },
    'max-cost': { type: 'string' },
    policy: { type: 'string' },
    approvals: { type: 'string' },
    'audit-dir': { type: 'string' },
    'audit-durability': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${EXEC_HELP}\n`);
    return 0;
  }
  const auditDirFlag = directoryFlag('audit-dir', values['audit-dir'], io.cwd);
  const task = positionals.join(' ').trim();
  if (!task) throw new WardenError('usage', 'no task given', { hint: 'warden exec "fix the failing test"' });
  const approvals = approvalMode(values.approvals, io.stdinIsTty);
  const policy = await loadPolicy(values.policy === undefined ? undefined : resolve(io.cwd, values.policy));

  const limits: Partial<Limits> = policyLimits(policy);
  const turns = positiveNumber('max-turns', values['max-turns']);
  const seconds = positiveNumber('max-time', values['max-time']);
  const tokens = positiveNumber('max-tokens', values['max-tokens']);
  const cost = positiveNumber('max-cost', values['max-cost']);
  if (turns !== undefined) limits.maxTurns = turns;
  if (seconds !== undefined) {
    // Timers hold at most 2^31-1 ms (24.8 days); a larger one would fire at once.
    if (seconds > MAX_WALL_TIME_SECONDS) {
      throw new WardenError('usage', `--max-time must be at most ${MAX_WALL_TIME_SECONDS} seconds (7 days)`);
    }
    limits.maxWallTimeMs = seconds * 1000;
  }
  if (tokens !== undefined) limits.maxTokens = tokens;
  if (cost !== undefined) limits.maxCost = cost;

  const repo = locateRepo(values.repo, io.cwd);
  const config = loadModelConfig(repo.root, { env: io.env });
  const model = resolveModel(values.model, { config, env: io.env, cwd: io.cwd });
  const parts = await openSessionParts(repo.root, policy);
  const { sandbox, workspace, store } = parts;
  const guards = await openSessionGuards({ root: repo.root, policy, env: io.env, sandbox: parts }).catch(
    async (error: unknown) => {
      store.close();
      await parts.close();
      throw error;
    },
  );

  const view = values.json ? undefined : createLiveView({ write: io.stdout, tty: io.stdoutIsTty });
  const sink: EventSink = view ? view.sink : (event) => io.stdout(`${JSON.stringify(event)}\n`);

  const cancel = new AbortController();
  const onInterrupt = (): void => {
    if (cancel.signal.aborted) process.exit(130);
    io.stderr('warden: stopping after the current step (Ctrl-C again to quit now)\n');
    cancel.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    const { report } = await launchSession({
      task,
      model,
      workspace,
      sandbox,
      store,
      workingDir: repo.workingDir,
      sinks: [sink],
      limits,
      // The policy is the guards' (launch.policy): this one, with files holding known secrets asked about.
      approver:
        approvals === 'ask'
          ? createTerminalApprover({ input: io.stdin, output: process.stderr, clean: forTerminal })
          : createHeadlessApprover(approvals),
      ...(parts.network ? { network: parts.network } : {}),
      ...guards.launch,
      audit: {
        dir: auditDir(repo.root, auditDirFlag, io.cwd),
        keyDir: auditKeyDir(io.env),
        durability: durabilityMode(values['audit-durability']),
      },
      ...(values.resume ? { resume: values.resume } : {}),
      signal: cancel.signal,
    });
    if (report.error && CONFIGURATION_ERRORS.has(report.error.code)) {
      // Credentials rejected on the first call are a setup problem, not a failed task.
      io.stderr(`warden: ${report.error.message}\n`);
      return 2;
    }
    return report.status === 'finished' ? 0 : 1;
  } finally {
    process.off('SIGINT', onInterrupt);
    view?.close();
    store.close();
    await parts.close();
  }
}

export function durabilityMode(flag: string | undefined): Durability {
  if (flag === undefined) return 'group';
  if (flag === 'group' || flag === 'fsync-each' || flag === 'none') return flag;
  throw new WardenError('usage', `--audit-durability must be group, fsync-each or none, got "${flag}"`);
}

function approvalMode(flag: string | undefined, interactive: boolean): 'ask' | HeadlessMode {
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
