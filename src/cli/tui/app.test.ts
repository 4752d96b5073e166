import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Terminal } from '@mariozechner/pi-tui';
import type { WardenEvent } from '../../agent/events.ts';
import { startChatUi } from './app.ts';
import { ControllerHub } from './controller-hub.ts';
import type { ControllerState, SessionCommands, SessionController } from './session-controller.ts';

/** A terminal that takes keys from the test and throws the output away (the pty tests read screens). */
function fakeTerminal(): Terminal & { type(data: string): void } {
  let input: (data: string) => void = () => {};
  return {
    start(onInput) {
      input = onInput;
    },
    stop() {},
    drainInput: async () => {},
    write() {},
    columns: 80,
    rows: 24,
    kittyProtocolActive: false,
    moveBy() {},
    hideCursor() {},
    showCursor() {},
    clearLine() {},
    clearFromCursor() {},
    clearScreen() {},
    setTitle() {},
    setProgress() {},
    type(data: string) {
      for (const key of data === '\r' || data.startsWith('\u001b') ? [data] : [...data]) input(key);
    },
  };
}

/** A controller that records what the UI asked of it. */
function fakeController(state: Partial<ControllerState> = {}) {
  const hub = new ControllerHub({
    busy: false,
    approvals: [],
    queued: [],
    info: { model: 'm', policy: 'default', sandbox: 'none', network: 'no network', remote: false },
    ...state,
  });
  const calls: string[] = [];
  const commands: SessionCommands = {
    diff: async () => {
      calls.push('diff');
      return { title: 'no changes', text: '', ok: true };
    },
  };
  const controller: SessionController = {
    subscribe: (sink: (event: WardenEvent) => void) => hub.subscribe(sink),
    watch: (listener) => hub.watch(listener),
    get state() {
      return hub.state;
    },
    send: async (text) => {
      calls.push(`send ${text}`);
    },
    answer: async (callId, answer) => {
      calls.push(`answer ${callId} ${answer}`);
    },
    interrupt: async () => {
      calls.push('interrupt');
    },
    commands,
    close: async (reason) => {
      calls.push(`close ${reason}`);
    },
  };
  return { controller, calls, hub };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('enter sends; a slash command runs through the controller; o/s/d answer only with an empty prompt', async () => {
  const { controller, calls, hub } = fakeController();
  const terminal = fakeTerminal();
  const ui = startChatUi({ controller, terminal });
  terminal.type('hello');
  terminal.type('\r');
  terminal.type('/diff');
  terminal.type('\r');
  await tick();
  assert.deepEqual(calls, ['send hello', 'diff']);

  hub.update({
    busy: true,
    approvals: [{ callId: 'c1', tool: 'shell', summary: 'shell: rm x', reason: 'asks' }],
  });
  terminal.type('s');
  terminal.type('keep it');
  assert.equal(calls.at(-1), 'answer c1 session');
  terminal.type('\r');
  await tick();
  assert.equal(calls.at(-1), 'send keep it', 'typed text that starts with another letter is a message');
  await ui.quit('test');
});

test('esc interrupts a busy turn and gives the undelivered steering back; ctrl+c twice quits, recorded', async () => {
  const { controller, calls, hub } = fakeController();
  const terminal = fakeTerminal();
  const ui = startChatUi({ controller, terminal });
  terminal.type('\u001b');
  await tick();
  assert.deepEqual(calls, [], 'esc does nothing while idle');
  hub.update({ busy: true, queued: ['and the readme'] });
  terminal.type('\u001b');
  await tick();
  await tick();
  assert.deepEqual(calls, ['interrupt']);
  hub.update({ busy: false, queued: [] });
  terminal.type('\r');
  await tick();
  assert.equal(calls.at(-1), 'send and the readme', 'the unsent message came back to the prompt');

  terminal.type('\u0003');
  await tick();
  assert.notEqual(calls.at(-1), 'close quit with Ctrl-C', 'one ctrl+c only warns');
  terminal.type('\u0003');
  assert.equal(await ui.done, 'quit with Ctrl-C');
  assert.equal(calls.at(-1), 'close quit with Ctrl-C');
});
