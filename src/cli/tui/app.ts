import { Editor, matchesKey, Spacer, type Terminal, Text, TUI } from '@mariozechner/pi-tui';
import { messageOf } from '../../errors.ts';
import { Conversation } from './conversation.ts';
import { PromptCompletion } from './file-completion.ts';
import type { ControllerState, SessionController } from './session-controller.ts';
import { runSlash, slashCommands } from './slash-commands.ts';
import { addToSpend, emptySpend } from './spend.ts';
import { StatusLine } from './status-line.ts';
import { editorTheme, paint } from './theme.ts';
import { clean } from './tool-card.ts';

/** A second Ctrl-C within this long quits. */
const QUIT_WINDOW_MS = 2000;

export interface ChatUiOptions {
  controller: SessionController;
  terminal: Terminal;
  /** `@path` completion of a local workspace's files; a policy-hidden path is never offered. */
  files?: { root: string; hidden: (path: string) => boolean };
  /** Sent at once, as if typed (`warden chat "fix the test"`). */
  initial?: string;
}

export interface ChatUi {
  tui: TUI;
  /** Resolves with the reason once the person quits (the controller is closed by then). */
  done: Promise<string>;
  quit(reason: string): Promise<void>;
}

/**
 * The interactive UI over a SessionController: the conversation, the prompt, the status line.
 * Everything it shows comes from the controller's events and state; everything it does goes
 * through the controller.
 */
/** Waits for the UI to end; a SIGTERM or SIGHUP (the terminal closing) quits it, recorded as such. */
export async function untilClosed(ui: ChatUi): Promise<void> {
  const onSignal = (signal: NodeJS.Signals) => void ui.quit(`the terminal sent ${signal}`);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    await ui.done;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}

export function startChatUi(options: ChatUiOptions): ChatUi {
  const { controller } = options;
  const tui = new TUI(options.terminal);
  const conversation = new Conversation();
  const editor = new Editor(tui, editorTheme, { paddingX: 1, autocompleteMaxVisible: 8 });
  const spend = emptySpend();
  const status = new StatusLine(controller.state, spend);
  let state: ControllerState = controller.state;
  let lastError: string | undefined;
  let ctrlCAt = 0;
  let finish: (reason: string) => void = () => {};
  const done = new Promise<string>((resolve) => {
    finish = resolve;
  });

  const completion = options.files
    ? new PromptCompletion(slashCommands(controller.commands), options.files.root, options.files.hidden)
    : new PromptCompletion(slashCommands(controller.commands), '/nonexistent', () => true);
  editor.setAutocompleteProvider(completion);
  const commandNames = new Set(slashCommands(controller.commands).map((command) => command.name));

  const welcome = new Text(welcomeText(state), 1, 0);
  tui.addChild(welcome);
  tui.addChild(new Spacer(1));
  tui.addChild(conversation);
  tui.addChild(new Spacer(1));
  tui.addChild(editor);
  tui.addChild(status);
  tui.setFocus(editor);

  const render = () => tui.requestRender();
  const hint = (text: string | undefined) => {
    status.hint(text);
    render();
  };

  const unsubscribe = controller.subscribe((event) => {
    conversation.add(event);
    if (addToSpend(spend, event)) status.update(state, spend);
    render();
  });
  const unwatch = controller.watch((next) => {
    state = next;
    conversation.approvals(next.approvals);
    status.update(next, spend);
    if (next.error && next.error !== lastError) conversation.note(clean(next.error), paint.red);
    lastError = next.error;
    render();
  });
  const unstream = controller.stream?.((partial) => {
    conversation.partial(partial.turn, partial.text);
    render();
  });

  let quitting: Promise<void> | undefined;
  const quit = (reason: string): Promise<void> => {
    quitting ??= (async () => {
      hint('closing…');
      await controller.close(reason).catch(() => undefined);
      unsubscribe();
      unwatch();
      unstream?.();
      tui.stop();
      finish(reason);
    })();
    return quitting;
  };

  editor.onSubmit = (text) => {
    if (!text.trim()) return;
    editor.addToHistory(text);
    if (text.startsWith('/') && !text.startsWith('//')) {
      conversation.said(text);
      render();
      runSlash(text, controller)
        .then((result) => {
          if ('quit' in result) return quit('quit with /quit');
          conversation.output(result);
          render();
        })
        .catch((error: unknown) => {
          conversation.output({ title: 'The command failed', text: messageOf(error), ok: false });
          render();
        });
      return;
    }
    controller.send(text).catch((error: unknown) => {
      conversation.note(clean(messageOf(error)), paint.red);
      render();
    });
  };

  tui.addInputListener((data) => {
    if (matchesKey(data, 'ctrl+c')) {
      const now = Date.now();
      if (now - ctrlCAt < QUIT_WINDOW_MS) {
        void quit('quit with Ctrl-C');
        return { consume: true };
      }
      ctrlCAt = now;
      editor.setText('');
      hint(paint.yellow('press ctrl+c again to quit'));
      return { consume: true };
    }
    if (ctrlCAt) {
      ctrlCAt = 0;
      status.hint(undefined);
    }
    if (matchesKey(data, 'escape') && !editor.isShowingAutocomplete() && state.busy) {
      const unsent = state.queued;
      hint('stopping the turn…');
      void controller.interrupt().then(() => {
        // What was typed but never delivered comes back to the prompt.
        if (unsent.length > 0 && editor.getText() === '') editor.setText(unsent.join('\n'));
        hint(undefined);
      });
      return { consume: true };
    }
    // Completion is asynchronous: keys typed fast (a paste, a test) can find the list a step
    // behind. A command typed out in full is sent as typed, not as the stale list's choice.
    if (matchesKey(data, 'enter') && editor.isShowingAutocomplete()) {
      const name = /^\/(\S+)$/.exec(editor.getText().trim())?.[1];
      if (name && commandNames.has(name)) editor.handleInput('\u001b');
      return undefined;
    }
    if (matchesKey(data, 'ctrl+o')) {
      conversation.toggleLast();
      render();
      return { consume: true };
    }
    const pending = state.approvals[0];
    if (pending && editor.getText() === '' && (data === 'o' || data === 's' || data === 'd')) {
      const answer = data === 'o' ? 'once' : data === 's' ? 'session' : 'deny';
      void controller.answer(pending.callId, answer);
      return { consume: true };
    }
    return undefined;
  });

  tui.start();
  if (options.initial?.trim()) editor.onSubmit?.(options.initial);
  return { tui, done, quit };
}

function welcomeText(state: ControllerState): string {
  const { info } = state;
  const where = info.workspace ? ` in ${clean(info.workspace)}` : '';
  return [
    `${paint.bold('warden')}${paint.gray(where)}`,
    paint.gray(
      `policy ${clean(info.policy)} · sandbox ${clean(info.sandbox)} · ${clean(info.network)}. Type a task; /help for keys and commands.`,
    ),
  ].join('\n');
}
