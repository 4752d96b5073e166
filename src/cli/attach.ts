import { ProcessTerminal } from '@mariozechner/pi-tui';
import { WardenError } from '../errors.ts';
import { parseFlags } from './args.ts';
import { attachTask, type RemoteController } from './attach-controller.ts';
import { createLiveView } from './live-view.ts';
import type { CommandIo } from './main.ts';
import { DEFAULT_SERVER, serverFromFlags } from './server-client.ts';
import { TLS_CLIENT_FLAGS, TLS_CLIENT_HELP } from './tls-client.ts';
import { startChatUi, untilClosed } from './tui/app.ts';

export const ATTACH_HELP = `Usage: warden attach [--server URL] [--token-file FILE] TASK

Follows a task of warden serve in the interactive UI: its events so far, then live ones; answers
its approvals with a key (o once, s for the session, d deny), sends what you type as steering
(read before the agent's next model request), and Esc cancels the task. Ctrl-C twice detaches:
the task goes on on the server. /cost, /policy and /audit ask the server. Without a terminal it prints the plain live view until the task
ends (exit 0 succeeded, 1 failed or cancelled).

  --server URL        the server (default WARDEN_SERVER, else ${DEFAULT_SERVER})
  --token-file FILE   a file holding the API token (default: WARDEN_TOKEN)
${TLS_CLIENT_HELP}

Task ids are listed by GET /v1/tasks and in the console.`;

export async function attachCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('attach', args, {
    server: { type: 'string' },
    'token-file': { type: 'string' },
    ...TLS_CLIENT_FLAGS,
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${ATTACH_HELP}\n`);
    return 0;
  }
  const [taskId, extra] = positionals;
  if (!taskId)
    throw new WardenError('usage', 'no task given', { hint: 'warden attach t20261125-1a2b3c4d5e6f' });
  if (extra !== undefined)
    throw new WardenError('usage', `unexpected argument "${extra}"`, { hint: 'warden attach TASK' });
  const client = serverFromFlags(values, io);
  const controller = await attachTask(client, taskId);
  try {
    if (io.stdoutIsTty && io.stdinIsTty) return await followInteractive(controller, io);
    return await followPlain(controller, io);
  } finally {
    await controller.close();
  }
}

/** The interactive UI over the served task, until the person detaches. */
async function followInteractive(controller: RemoteController, io: CommandIo): Promise<number> {
  const ui = startChatUi({ controller, terminal: new ProcessTerminal() });
  await untilClosed(ui);
  const status = await controller.ended.catch(() => undefined);
  io.stdout(
    status === undefined
      ? `detached from ${controller.taskId}; it goes on on the server (warden attach ${controller.taskId} to follow it again)\n`
      : `task ${controller.taskId} ${status}\n`,
  );
  return 0;
}

/** Not a terminal: the plain live view of `warden exec`, until the task ends. */
async function followPlain(controller: RemoteController, io: CommandIo): Promise<number> {
  const view = createLiveView({ write: io.stdout, tty: io.stdoutIsTty });
  controller.subscribe(view.sink);
  try {
    const status = await controller.ended;
    if (status === undefined) return 1;
    io.stdout(`task ${status}\n`);
    return status === 'succeeded' ? 0 : 1;
  } finally {
    view.close();
  }
}
