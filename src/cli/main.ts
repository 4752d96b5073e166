import { isWardenError, messageOf } from '../errors.ts';
import { ATTACH_HELP, attachCommand } from './attach.ts';
import { AUDIT_HELP, auditCommand } from './audit.ts';
import { CHAT_HELP, chatCommand } from './chat.ts';
import { COMPLIANCE_HELP, complianceCommand } from './compliance.ts';
import { DEMO_HELP, demoCommand } from './demo.ts';
import { EVAL_HELP, evalCommand } from './eval.ts';
import { EXEC_HELP, execCommand } from './exec.ts';
import { MCP_HELP, mcpCommand } from './mcp.ts';
import { POLICY_HELP, policyCommand } from './policy.ts';
import { RECEIPT_HELP, receiptCommand } from './receipt.ts';
import { REDACT_HELP, redactCommand } from './redact.ts';
import { SERVE_HELP, serveCommand } from './serve.ts';
import { SESSIONS_HELP, sessionsCommand } from './sessions.ts';
import { forTerminal } from './terminal.ts';
import { WORKER_HELP, workerCommand } from './worker.ts';
import { WRAP_HELP, wrapCommand } from './wrap.ts';

/** What a command may touch of the outside world; tests pass their own. */
export interface CommandIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdoutIsTty: boolean;
  stdin: NodeJS.ReadableStream;
  stdinIsTty: boolean;
}

const HELP = `warden — a coding agent you do not have to trust

Usage:
  warden [chat] [options]          the interactive terminal UI (plain live view without a terminal)
  warden exec [options] "<task>"   run the agent headless on a repository
  warden wrap [options] -- <agent…> run Codex CLI, Claude Code or another agent under Warden
  warden sessions list|show ID     recorded sessions and their reports
  warden policy check|explain|test the one-page policy: validate, summarise, try an action
  warden policy suggest|diff|assert  a policy from audit logs, two policies compared, ruled-out actions in CI
  warden audit verify|show|prove   the signed audit trail: prove nothing was altered
  warden receipt verify RECEIPT    check a session's signed receipt: commit, diff, policy, audit log
  warden compliance report         a signed evidence bundle (SOC 2, ISO 27001, EU AI Act) for auditors
  warden redact [FILE…] [--json]   print text with its secrets redacted, or list what was found
  warden mcp login|logout NAME     sign in to an MCP server that uses OAuth (tokens stay on the host)
  warden serve [--port N]          the server: HTTP API, task queue and workers (see README)
  warden attach TASK               follow a served task: its events, approvals, steering, cancel
  warden worker --database URL     runs tasks from the server's PostgreSQL queue, on any machine
  warden eval run|report           A/B models and agents on a suite of tasks, graded by hidden tests
  warden demo                      an offline walkthrough with a scripted model
  warden help [command]            help for a command

Run "warden exec --help" for the options. Models: openai:…, anthropic:…, bedrock:…, mistral:…,
google:…, ollama:…, compat:NAME/MODEL, script:FILE (see README).`;

const COMMANDS: Record<string, { run: (args: string[], io: CommandIo) => Promise<number>; help: string }> = {
  chat: { run: chatCommand, help: CHAT_HELP },
  exec: { run: execCommand, help: EXEC_HELP },
  sessions: { run: sessionsCommand, help: SESSIONS_HELP },
  demo: { run: demoCommand, help: DEMO_HELP },
  policy: { run: policyCommand, help: POLICY_HELP },
  audit: { run: auditCommand, help: AUDIT_HELP },
  receipt: { run: receiptCommand, help: RECEIPT_HELP },
  redact: { run: redactCommand, help: REDACT_HELP },
  wrap: { run: wrapCommand, help: WRAP_HELP },
  serve: { run: serveCommand, help: SERVE_HELP },
  attach: { run: attachCommand, help: ATTACH_HELP },
  worker: { run: workerCommand, help: WORKER_HELP },
  mcp: { run: mcpCommand, help: MCP_HELP },
  eval: { run: evalCommand, help: EVAL_HELP },
  compliance: { run: complianceCommand, help: COMPLIANCE_HELP },
};

export async function main(argv: string[], io: CommandIo): Promise<number> {
  // No command, or options only: the interactive UI.
  const first = argv[0];
  const [name = 'chat', ...args] =
    first === undefined || (first.startsWith('-') && !['--help', '-h', '--version'].includes(first))
      ? ['chat', ...argv]
      : argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = args[0] ? COMMANDS[args[0]] : undefined;
    io.stdout(`${topic ? topic.help : HELP}\n`);
    return 0;
  }
  if (name === '--version' || name === 'version') {
    io.stdout(`warden ${process.env.npm_package_version ?? '0.1.0'} (node ${process.version})\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`warden: ${oneLine(`unknown command "${name}" — run "warden help" for the list`)}\n`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (isWardenError(error)) {
      io.stderr(`warden: ${oneLine(error.describe())}\n`);
      return 2;
    }
    // A fault of Warden's own, not of the input: one line, the stack only when asked for.
    const stack = io.env.WARDEN_DEBUG ? `\n${(error as Error)?.stack ?? ''}` : '';
    io.stderr(
      `warden: internal error: ${oneLine(messageOf(error))} — please report it (WARDEN_DEBUG=1 shows where)${stack}\n`,
    );
    return 1;
  }
}

/** An error for a terminal: one line, whatever the input it quotes held (newlines, escapes). */
function oneLine(text: string): string {
  return forTerminal(text.replace(/\s*[\r\n]+\s*/g, ' '));
}

export function processIo(): CommandIo {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stdoutIsTty: process.stdout.isTTY === true,
    stdin: process.stdin,
    stdinIsTty: process.stdin.isTTY === true,
  };
}
