import { resolve } from 'node:path';
import { WardenError } from '../errors.ts';
import type { KeyBudget } from '../gateway/index.ts';
import { loadModelConfig } from '../models/index.ts';
import { createHeadlessApprover, createTerminalApprover } from '../policy/approvals.ts';
import { loadPolicy } from '../policy/load.ts';
import type { AttachedProcess } from '../sandbox/run-attached.ts';
import { runGovernedAgent } from '../wrap/governed-agent.ts';
import { directoryFlag, parseFlags, positiveNumber } from './args.ts';
import { auditDir, auditKeyDir } from './audit-paths.ts';
import type { CommandIo } from './main.ts';
import { locateRepo } from './repo.ts';
import { durabilityMode } from './session-setup.ts';
import { forTerminal } from './terminal.ts';

export const WRAP_HELP = `Usage: warden wrap [options] -- <agent command…>

Runs a third-party coding agent (Codex CLI, Claude Code, …) as a Warden session: inside the
sandbox, the workspace its only writable project directory, the policy's allowed hosts its only
network, Warden's model gateway its model endpoint (with a virtual key: no provider key enters
the sandbox), each shell command it runs judged by the policy, everything in the audit log.
The MCP servers of your user config (mcp_servers:) reach it only through Warden's MCP gateway,
each call judged by the policy; its own MCP servers are replaced.

Options:
  --profile NAME      codex, claude, generic, or one defined under agents: in your user config
                      (default: picked by the program's name)
  --model ID          the Warden model that answers the agent, whatever model name it asks for
                      (default: default_model in warden.config.*)
  --policy FILE       the one-page policy its commands are judged by (default: Warden's own)
  --repo DIR          the workspace (default: the git repository of the current directory)
  --approvals MODE    what a policy "ask" does: deny (the default), fail (end the session), or
                      ask (a prompt on this terminal: for an agent's headless mode, such as
                      codex exec or claude -p, since a full-screen agent owns the terminal)
  --max-time SECONDS  end the agent after this much wall time (default: the policy's)
  --max-tokens N      the virtual key's token budget (default: the policy's)
  --max-cost USD      the virtual key's cost budget, for priced models (default: the policy's)
  --audit-dir DIR, --audit-durability group|fsync-each|none   as for warden exec

Exit status: the agent's own; 2 for a usage or configuration error.`;

const TERMINAL_VARIABLES = ['TERM', 'COLORTERM'];

export async function wrapCommand(args: string[], io: CommandIo): Promise<number> {
  const separator = args.indexOf('--');
  const { values, positionals } = parseFlags('wrap', separator < 0 ? args : args.slice(0, separator), {
    profile: { type: 'string' },
    model: { type: 'string', short: 'm' },
    policy: { type: 'string' },
    repo: { type: 'string' },
    approvals: { type: 'string' },
    'max-time': { type: 'string' },
    'max-tokens': { type: 'string' },
    'max-cost': { type: 'string' },
    'audit-dir': { type: 'string' },
    'audit-durability': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${WRAP_HELP}\n`);
    return 0;
  }
  const auditDirFlag = directoryFlag('audit-dir', values['audit-dir'], io.cwd);
  const argv = separator < 0 ? [] : args.slice(separator + 1);
  if (positionals.length > 0 || argv.length === 0) {
    throw new WardenError('usage', "give the agent's command after --", {
      hint: 'warden wrap -- codex exec "fix the failing test"',
    });
  }
  const approvals = values.approvals ?? 'deny';
  if (approvals !== 'ask' && approvals !== 'deny' && approvals !== 'fail') {
    throw new WardenError('usage', `--approvals must be ask, deny or fail, got "${approvals}"`);
  }
  if (approvals === 'ask' && !io.stdinIsTty) {
    throw new WardenError('usage', '--approvals ask needs a terminal to ask in', {
      hint: 'use --approvals deny or --approvals fail',
    });
  }
  const policy = await loadPolicy(values.policy === undefined ? undefined : resolve(io.cwd, values.policy));
  const seconds = positiveNumber('max-time', values['max-time']);
  const tokens = positiveNumber('max-tokens', values['max-tokens']) ?? policy.limits.tokens;
  const cost = positiveNumber('max-cost', values['max-cost']) ?? policy.limits.cost;
  const budget: KeyBudget = {
    ...(tokens === undefined ? {} : { tokens }),
    ...(cost === undefined ? {} : { costUsd: cost }),
  };
  const maxWallTimeMs = seconds === undefined ? policy.limits.wallTimeMs : seconds * 1000;

  const repo = locateRepo(values.repo, io.cwd);
  const modelId = values.model ?? loadModelConfig(repo.root, { env: io.env }).defaultModel;
  if (modelId === undefined) {
    throw new WardenError('usage', 'which model should answer the agent?', {
      hint: 'pass --model provider:model, or set default_model in warden.config.yaml',
    });
  }
  const env: Record<string, string> = {};
  if (io.stdoutIsTty) {
    for (const name of TERMINAL_VARIABLES) if (io.env[name] !== undefined) env[name] = io.env[name] as string;
  }

  const cancel = new AbortController();
  let agent: AttachedProcess | undefined;
  let interrupted = false;
  const forward = (signal: NodeJS.Signals) => () => agent?.signal(signal);
  const onInterrupt = (): void => {
    // The first Ctrl-C is the agent's to handle; the next one ends it.
    if (agent !== undefined && !interrupted) {
      interrupted = true;
      agent.signal('SIGINT');
      return;
    }
    if (!cancel.signal.aborted) io.stderr('warden: stopping the agent\n');
    cancel.abort();
  };
  const handlers: Array<[NodeJS.Signals, () => void]> = [
    ['SIGINT', onInterrupt],
    ['SIGTERM', forward('SIGTERM')],
    ['SIGHUP', forward('SIGHUP')],
    ['SIGWINCH', forward('SIGWINCH')],
  ];
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    const { sessionId, report, exit } = await runGovernedAgent({
      argv,
      ...(values.profile === undefined ? {} : { profile: values.profile }),
      modelId,
      policy,
      root: repo.root,
      workingDir: repo.workingDir,
      cwd: io.cwd,
      env: io.env,
      approver:
        approvals === 'ask'
          ? createTerminalApprover({ input: io.stdin, output: process.stderr, clean: forTerminal })
          : createHeadlessApprover(approvals),
      audit: {
        dir: auditDir(repo.root, auditDirFlag, io.cwd),
        keyDir: auditKeyDir(io.env),
        durability: durabilityMode(values['audit-durability']),
      },
      budget,
      ...(maxWallTimeMs === undefined ? {} : { maxWallTimeMs }),
      terminalEnv: env,
      onStart: (started) => {
        agent = started;
      },
      signal: cancel.signal,
      interrupted: () => interrupted,
    });
    io.stderr(forTerminal(`warden: session ${sessionId} ${report.status}: ${report.summary}\n`));
    if (report.error) io.stderr(forTerminal(`warden: ${report.error.message}\n`));
    else if (report.status === 'limit') io.stderr(forTerminal(`warden: ${report.reason}\n`));
    return exit.exitCode ?? (report.status === 'finished' ? 0 : 1);
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
