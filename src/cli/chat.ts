import { ProcessTerminal } from '@mariozechner/pi-tui';
import { WardenError } from '../errors.ts';
import { likeMatcher } from '../policy/like.ts';
import { parseFlags } from './args.ts';
import { approvalMode, runHeadless } from './exec.ts';
import type { CommandIo } from './main.ts';
import { openLocalSetup, SESSION_FLAGS, SESSION_FLAGS_HELP } from './session-setup.ts';
import { startChatUi, untilClosed } from './tui/app.ts';
import { LocalController } from './tui/local-controller.ts';

export const CHAT_HELP = `Usage: warden [chat] [options] ["<first message>"]

The interactive terminal UI: talk to the agent turn by turn, answer its approvals with a key, steer
it while it works, stop a turn with Esc, and use /undo, /diff, /model, /policy, /audit and the other
slash commands (/help lists them). Every turn runs under the same policy, sandbox and signed audit
log as warden exec; a session quit is resumable (--resume, or /resume inside).

When stdout (or stdin) is not a terminal it falls back to warden exec's plain live view, running the message
given as arguments, or read from stdin.

Options:
${SESSION_FLAGS_HELP}
  --approvals MODE    without a terminal only: deny (default) or fail; see warden exec --help`;

export async function chatCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('chat', args, {
    ...SESSION_FLAGS,
    approvals: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${CHAT_HELP}\n`);
    return 0;
  }
  const message = positionals.join(' ').trim();
  // Both ends must be a terminal: keys come from stdin, the screen goes to stdout.
  if (!io.stdoutIsTty || !io.stdinIsTty) {
    const task = message || (io.stdinIsTty ? '' : (await readAll(io.stdin)).trim());
    if (!task) {
      throw new WardenError('usage', 'no terminal to chat in, and no message given', {
        hint: 'warden chat "fix the failing test" | cat, or echo "fix it" | warden chat > log.txt',
      });
    }
    return runHeadless(task, values, io, {
      json: false,
      approvals: approvalMode(values.approvals, io.stdinIsTty),
    });
  }
  if (values.approvals !== undefined) {
    throw new WardenError('usage', '--approvals is for runs without a terminal', {
      hint: 'in the UI, approvals are answered with o (once), s (session) or d (deny)',
    });
  }

  const setup = await openLocalSetup(values, io);
  let controller: LocalController;
  try {
    controller = await LocalController.open({
      setup,
      io,
      ...(values.resume ? { resume: values.resume } : {}),
    });
  } catch (error) {
    await setup.close();
    throw error;
  }
  const ui = startChatUi({
    controller,
    terminal: new ProcessTerminal(),
    files: {
      root: setup.repo.root,
      hidden: likeMatcher(setup.launch.policy?.deniedPaths ?? setup.policy.deniedPaths),
    },
    ...(message ? { initial: message } : {}),
  });
  try {
    await untilClosed(ui);
  } finally {
    await setup.close();
  }
  const sessionId = controller.state.info.sessionId;
  if (sessionId) io.stdout(`session ${sessionId} · continue it with: warden chat --resume ${sessionId}\n`);
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  return text;
}
