import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { WardenEvent } from '../src/agent/events.ts';
import { sampleRepo, warden } from './cli.ts';
import { expectScreen, normalise, spawnScreen, type TuiScreen } from './tui-screen.ts';

// The interactive UI driven as a person drives it: the real `warden` in a pseudo-terminal, the
// screen read through a terminal emulator, keys typed. Each step's screen is checked in under
// test/fixtures/tui-screens (WARDEN_UPDATE_SCREENS=1 rewrites them; read them before committing).

/** Every command but `rm` runs without asking; `rm` asks. */
const POLICY = 'version: 1\nfiles: {read: ["*"], write: ["*"]}\ncommands:\n  allow: ["*"]\n  ask: ["rm *"]\n';

const FIX_SUM = {
  text: 'Fixing **sum**: it subtracted.',
  calls: [{ tool: 'edit_file', args: { path: 'src/sum.js', old_string: 'a - b', new_string: 'a + b' } }],
};

interface Chat {
  repo: string;
  /** `warden` with the scripted model `script:../NAME.json` and the test policy. */
  start(args?: string[], size?: { cols: number; rows: number }): Promise<TuiScreen>;
  /** The session's recorded events, read back as `warden sessions show --json --events` gives them. */
  events(session: string): Promise<WardenEvent[]>;
}

async function chatWorld(
  t: { after(fn: () => Promise<void>): void },
  scripts: Record<string, unknown[]>,
): Promise<Chat> {
  const { dir, repo, cleanup } = await sampleRepo();
  t.after(cleanup);
  await writeFile(join(dir, 'chat.policy.yaml'), POLICY);
  for (const [name, turns] of Object.entries(scripts))
    await writeFile(join(dir, `${name}.json`), JSON.stringify({ turns }));
  const screens: TuiScreen[] = [];
  t.after(async () => {
    for (const screen of screens) await screen.close();
  });
  return {
    repo,
    async start(args = ['--model', 'script:../chat.json'], size = { cols: 80, rows: 24 }) {
      const screen = await spawnScreen([...args, '--policy', '../chat.policy.yaml'], { cwd: repo, ...size });
      screens.push(screen);
      await screen.waitFor('● ready');
      return screen;
    },
    async events(session) {
      const run = await warden(['sessions', 'show', session, '--json', '--events'], { cwd: repo });
      assert.equal(run.code, 0, run.stderr);
      return (JSON.parse(run.stdout) as { events: WardenEvent[] }).events;
    },
  };
}

/** The screen once it has stopped changing, normalised, against its checked-in copy. */
async function shot(screen: TuiScreen, name: string): Promise<void> {
  await screen.settle(250);
  await expectScreen(name, normalise(screen.screen()));
}

function send(screen: TuiScreen, text: string): void {
  screen.type(text);
  screen.press('enter');
}

/** Ctrl-C twice quits; the last words name the session and how to continue it. */
async function quit(screen: TuiScreen): Promise<string> {
  screen.press('ctrl-c');
  await screen.waitFor('ctrl+c again');
  screen.press('ctrl-c');
  assert.equal((await screen.exited).code, 0);
  await screen.settle(0);
  const said = screen.scrollback().join('');
  const session = /continue it with: warden chat --resume (s\d{8}-[0-9a-f]+)/.exec(said)?.[1];
  assert.ok(session, `the last words name the session:\n${said.slice(-400)}`);
  return session;
}

// Each test has its own repository, scripts and process: two at a time keep the file quick.
describe('the interactive UI in a terminal', { concurrency: 2 }, () => {
  test('a message edits a file: a card with the decision, its rule and the diff; /undo puts it back, recorded', async (t) => {
    const chat = await chatWorld(t, { chat: [FIX_SUM, { text: 'Fixed: `sum` adds now.' }] });
    const sumJs = join(chat.repo, 'src', 'sum.js');
    const screen = await chat.start();
    await shot(screen, 'start');

    send(screen, 'fix the sum');
    await screen.waitFor('Fixed: sum adds now.');
    await screen.waitFor('● ready');
    await shot(screen, 'edit');
    assert.match(await readFile(sumJs, 'utf8'), /return a \+ b;/);

    send(screen, '/undo');
    await screen.waitFor('Undone');
    await shot(screen, 'undo');
    assert.match(await readFile(sumJs, 'utf8'), /return a - b;/, 'the file is as before the turn');

    const session = await quit(screen);
    const undo = (await chat.events(session)).find((e) => e.type === 'user.command');
    assert.ok(undo, 'the undo is in the session record');
  });

  test('a message typed right after /undo waits for it: the undo is on record before the next run starts', async (t) => {
    const chat = await chatWorld(t, {
      chat: [
        FIX_SUM,
        { text: 'Fixed.' },
        { calls: [{ tool: 'write_file', args: { path: 'src/extra.js', content: 'export const x = 1;\n' } }] },
        { text: 'Wrote extra.' },
      ],
    });
    const screen = await chat.start();
    send(screen, 'fix the sum');
    await screen.waitFor('Fixed.');
    await screen.waitFor('● ready');
    send(screen, '/undo');
    send(screen, 'write extra');
    await screen.waitFor('Wrote extra.');
    await screen.waitFor('● ready');
    assert.match(await readFile(join(chat.repo, 'src', 'sum.js'), 'utf8'), /return a - b;/);
    const events = await chat.events(await quit(screen));
    const undo = events.findIndex((e) => e.type === 'user.command' && e.command === 'undo');
    const second = events.findIndex((e, i) => i > 0 && e.type === 'session.started');
    assert.ok(undo >= 0 && second > undo, events.map((e) => e.type).join(' '));
  });

  test('a question is answered with a key: o runs the command, d refuses it', async (t) => {
    const chat = await chatWorld(t, {
      chat: [
        { text: 'Removing the old log.', calls: [{ tool: 'shell', args: { command: 'rm -f old.log' } }] },
        { text: 'Removed.' },
        { text: 'Removing the notes.', calls: [{ tool: 'shell', args: { command: 'rm -f notes.txt' } }] },
        { text: 'Left them.' },
      ],
    });
    const screen = await chat.start();
    send(screen, 'remove the old log');
    await screen.waitFor('[o]nce  [s]ession  [d]eny');
    await shot(screen, 'ask');
    screen.type('o');
    await screen.waitFor('Removed.');
    await screen.waitFor('● ready');
    await shot(screen, 'ask-approved');

    send(screen, 'remove the notes');
    await screen.waitFor('[o]nce  [s]ession  [d]eny');
    screen.type('d');
    await screen.waitFor('Left them.');
    await screen.waitFor('● ready');
    await shot(screen, 'ask-denied');

    const events = await chat.events(await quit(screen));
    const resolved = events.filter((e) => e.type === 'approval.resolved');
    assert.deepEqual(
      resolved.map((e) => e.type === 'approval.resolved' && [e.decision, e.by]),
      [
        ['allow', 'terminal'],
        ['deny', 'terminal'],
      ],
    );
  });

  test('a message typed while a command runs steers the turn: delivered before the next model request', async (t) => {
    // The command runs until the test says so: the message is typed while it surely runs.
    const wait = 'while [ ! -e .git/go ]; do sleep 0.05; done';
    const chat = await chatWorld(t, {
      chat: [
        { text: 'Waiting for the signal.', calls: [{ tool: 'shell', args: { command: wait } }] },
        { text: 'Noted: the README too.' },
      ],
    });
    const screen = await chat.start();
    send(screen, 'wait for the signal');
    await screen.waitFor('running…');
    send(screen, 'also update the README');
    await shot(screen, 'steer-typed');
    await writeFile(join(chat.repo, '.git', 'go'), '');
    await screen.waitFor('Noted: the README too.');
    await screen.waitFor('● ready');
    await shot(screen, 'steered');

    const events = await chat.events(await quit(screen));
    const types = events.map((e) => e.type);
    const steering = events.find((e) => e.type === 'user.message');
    assert.equal(steering?.type === 'user.message' && steering.text, 'also update the README');
    assert.ok(types.indexOf('user.message') > types.indexOf('tool.finished'), 'after the command');
    assert.ok(types.indexOf('user.message') < types.lastIndexOf('model.request'), 'before the next request');
    assert.equal(
      types.filter((type) => type === 'session.started').length,
      1,
      'the same run, not a new message',
    );
  });

  test('Esc interrupts the turn (a running command is killed, recorded); the session goes on with the next message', async (t) => {
    const chat = await chatWorld(t, {
      chat: [
        { text: 'Sleeping.', calls: [{ tool: 'shell', args: { command: 'sleep 30' } }] },
        { text: 'Back after the stop.' },
      ],
    });
    const screen = await chat.start();
    send(screen, 'sleep a while');
    await screen.waitFor('running…');
    screen.press('esc');
    await screen.waitFor('interrupted');
    await screen.waitFor('● ready');
    await shot(screen, 'interrupted');

    send(screen, 'carry on');
    await screen.waitFor('Back after the stop.');
    await screen.waitFor('● ready');
    const events = await chat.events(await quit(screen));
    const finished = events.filter((e) => e.type === 'session.finished');
    assert.deepEqual(
      finished.map((e) => e.type === 'session.finished' && e.report.status),
      ['cancelled', 'finished'],
    );
    assert.equal(new Set(events.map((e) => e.session)).size, 1, 'one session throughout');
  });

  test('/model switches the model for the next turn; the status line shows it', async (t) => {
    const chat = await chatWorld(t, {
      chat: [{ text: 'First model here.' }],
      other: [{ text: 'The other model answers.' }],
    });
    const screen = await chat.start();
    send(screen, 'who are you');
    await screen.waitFor('First model here.');
    await screen.waitFor('● ready');
    send(screen, '/model script:../other.json');
    await screen.waitFor('Model: script:../other.json');
    send(screen, 'and now?');
    await screen.waitFor('The other model answers.');
    await screen.waitFor('● ready');
    await shot(screen, 'model-switched');
    assert.match(screen.screen().find((line) => line.startsWith('● ready')) ?? '', /script:other\.json/);

    const events = await chat.events(await quit(screen));
    const answered = events
      .filter((e) => e.type === 'model.response')
      .map((e) => e.type === 'model.response' && e.model);
    assert.deepEqual(answered, ['script:../chat.json', 'script:../other.json']);
  });

  test('a quit session resumes with its history on the screen: --resume, and /resume inside', async (t) => {
    const chat = await chatWorld(t, {
      chat: [FIX_SUM, { text: 'Fixed: `sum` adds now.' }],
      later: [{ text: 'Resumed and answering.' }],
    });
    const first = await chat.start();
    send(first, 'fix the sum');
    await first.waitFor('Fixed: sum adds now.');
    await first.waitFor('● ready');
    const session = await quit(first);

    const resumed = await chat.start(['--model', 'script:../later.json', '--resume', session]);
    await resumed.waitFor('Fixed: sum adds now.');
    await shot(resumed, 'resumed');
    send(resumed, 'anything else?');
    await resumed.waitFor('Resumed and answering.');
    await resumed.waitFor('● ready');
    assert.equal(await quit(resumed), session, 'the same session goes on');
    const events = await chat.events(session);
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
      'its events keep numbering on',
    );

    const inside = await chat.start(['--model', 'script:../later.json']);
    send(inside, `/resume ${session}`);
    await inside.waitFor('Resumed and answering.');
    await shot(inside, 'resumed-inside');
    await quit(inside);
  });

  test('80 columns, then narrower and wider: the screen is laid out again, nothing left over', async (t) => {
    const chat = await chatWorld(t, { chat: [FIX_SUM, { text: 'Fixed: `sum` adds now.' }] });
    const screen = await chat.start();
    send(screen, 'fix the sum');
    await screen.waitFor('Fixed: sum adds now.');
    await screen.waitFor('● ready');
    const once = (text: string) => screen.screen().filter((line) => line.includes(text)).length;

    screen.resize(60, 20);
    await screen.settle(300);
    await shot(screen, 'narrow-60');
    assert.equal(once('● ready'), 1, 'one status line');
    screen.type('still typing');
    await screen.waitFor('still typing');

    screen.resize(100, 30);
    await screen.settle(300);
    await shot(screen, 'wide-100');
    assert.equal(once('● ready'), 1, 'one status line');
    assert.equal(once('still typing'), 1, 'the prompt kept what was typed');
    await quit(screen);
  });

  test('without a terminal, warden chat falls back to the plain live view', async (t) => {
    const { dir, repo, cleanup } = await sampleRepo();
    t.after(cleanup);
    await writeFile(join(dir, 'chat.json'), JSON.stringify({ turns: [FIX_SUM, { text: 'Fixed.' }] }));
    const byArgument = await warden(['chat', '--model', 'script:../chat.json', 'fix the sum'], { cwd: repo });
    assert.equal(byArgument.code, 0, byArgument.stderr);
    assert.match(byArgument.stdout, /^warden · session s\d{8}-[0-9a-f]+ · model script:\.\.\/chat\.json$/m);
    assert.match(byArgument.stdout, /→ edit_file src\/sum\.js/);
    assert.match(byArgument.stdout, /status {4}finished/);
    assert.ok(!byArgument.stdout.includes('\u001b'), 'no escape codes in a file');

    const byStdin = await warden(['--model', 'script:../chat.json'], { cwd: repo, input: 'fix the sum\n' });
    assert.equal(byStdin.code, 0, byStdin.stderr);
    assert.match(byStdin.stdout, /task fix the sum/);
  });
});
