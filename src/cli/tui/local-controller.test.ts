import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { WardenEvent } from '../../agent/events.ts';
import { DEMO_REPO } from '../demo.ts';
import type { CommandIo } from '../main.ts';
import { openLocalSetup } from '../session-setup.ts';
import { LocalController } from './local-controller.ts';
import type { ControllerState } from './session-controller.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-chat-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** A fresh sample repository in git, with a file the agent may be asked to remove. */
async function sampleRepo(name: string): Promise<string> {
  const repo = join(dir, name);
  await cp(DEMO_REPO, repo, { recursive: true });
  await writeFile(join(repo, 'notes.txt'), 'keep me?\n');
  const git = (...args: string[]) =>
    spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'sample');
  return repo;
}

async function open(repo: string, script: object, flags: Record<string, string> = {}) {
  const file = join(dir, `${repo.split('/').at(-1)}-script.json`);
  await writeFile(file, JSON.stringify(script));
  const io: CommandIo = {
    cwd: repo,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      XDG_CONFIG_HOME: join(dir, '.config-empty'),
    },
    stdout: () => {},
    stderr: () => {},
    stdoutIsTty: false,
    stdin: process.stdin,
    stdinIsTty: false,
  };
  const setup = await openLocalSetup({ model: `script:${file}`, ...flags }, io);
  const controller = await LocalController.open({ setup, io });
  const events: WardenEvent[] = [];
  controller.subscribe((event) => events.push(event));
  return {
    controller,
    events,
    async close() {
      await controller.close();
      await setup.close();
    },
  };
}

/** Resolves once the controller's state satisfies `check`. */
function until(
  controller: LocalController,
  check: (state: ControllerState) => boolean,
): Promise<ControllerState> {
  return new Promise((resolve) => {
    const stop = controller.watch((state) => {
      if (!check(state)) return;
      queueMicrotask(() => stop());
      resolve(state);
    });
  });
}

const types = (events: WardenEvent[]) => events.map((event) => event.type);

test('a turn edits a file; /undo puts it back, recorded in the signed log; the model is told', async () => {
  const repo = await sampleRepo('undo');
  const edit = { path: 'src/sum.js', old_string: 'return a - b;', new_string: 'return a + b;' };
  const session = await open(repo, {
    turns: [
      { text: 'Fixing sum.', calls: [{ tool: 'edit_file', args: edit }] },
      { text: 'Fixed.' },
      { text: 'Noted.' },
    ],
  });
  try {
    const original = await readFile(join(repo, 'src/sum.js'), 'utf8');
    const partials: Array<{ turn: number; text: string }> = [];
    session.controller.stream((partial) => partials.push(partial));
    await session.controller.send('fix sum');
    await session.controller.idle();
    assert.deepEqual(
      partials[0],
      { turn: 1, text: 'Fixing sum.' },
      'the reply streamed before it was recorded',
    );
    const sessionId = session.controller.state.info.sessionId;
    assert.ok(sessionId);
    assert.ok(types(session.events).includes('file.changed'));
    assert.equal(session.events.at(-1)?.type, 'session.finished');
    assert.match(await readFile(join(repo, 'src/sum.js'), 'utf8'), /a \+ b/);

    const diff = await session.controller.commands.diff?.();
    assert.match(diff?.text ?? '', /^\+.*return a \+ b;/m);

    const undone = await session.controller.commands.undo?.();
    assert.equal(undone?.ok, true, undone?.text);
    assert.equal(await readFile(join(repo, 'src/sum.js'), 'utf8'), original);
    const record = session.events.at(-1);
    assert.equal(record?.type, 'user.command');
    assert.deepEqual(record?.type === 'user.command' && record.files, ['src/sum.js']);
    assert.equal((await session.controller.commands.undo?.())?.ok, false, 'one turn, one undo');

    const audit = await session.controller.commands.audit?.();
    assert.equal(audit?.ok, true, audit?.text);

    await session.controller.send('thanks');
    await session.controller.idle();
    const restarted = session.events.filter((event) => event.type === 'session.started').at(-1);
    assert.equal(restarted?.session, sessionId, 'the same session continues');
    assert.match(
      restarted?.type === 'session.started' ? restarted.task : '',
      /reverted the file changes[\s\S]*thanks$/,
    );
    const seqs = session.events.map((event) => event.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      'one numbering across runs and the undo',
    );
  } finally {
    await session.close();
  }
});

test('an approval is answered through the controller; a message sent meanwhile steers the next request', async () => {
  const repo = await sampleRepo('approve');
  const session = await open(repo, {
    turns: [{ calls: [{ tool: 'shell', args: { command: 'rm notes.txt' } }] }, { text: 'Removed it.' }],
  });
  try {
    await session.controller.send('clean up');
    const waiting = await until(session.controller, (state) => state.approvals.length > 0);
    const [pending] = waiting.approvals;
    assert.match(pending?.summary ?? '', /rm notes\.txt/);
    assert.match(pending?.reason ?? '', /ask/);
    await session.controller.send('and keep the README');
    assert.deepEqual(session.controller.state.queued, ['and keep the README']);
    await session.controller.answer(pending?.callId ?? '', 'once');
    await session.controller.idle();

    const resolved = session.events.find((event) => event.type === 'approval.resolved');
    assert.equal(
      resolved?.type === 'approval.resolved' && `${resolved.decision} by ${resolved.by}`,
      'allow by terminal',
    );
    await assert.rejects(readFile(join(repo, 'notes.txt')), 'the approved command ran');
    const steering = session.events.findIndex((event) => event.type === 'user.message');
    const second = session.events.findIndex((event) => event.type === 'model.request' && event.turn === 2);
    assert.ok(steering > 0 && steering < second, 'the steering message came before the next model request');
    assert.deepEqual(session.controller.state.queued, []);
  } finally {
    await session.close();
  }
});

test('Esc stops the turn (recorded as cancelled, the ask denied) and the next message resumes the session', async () => {
  const repo = await sampleRepo('interrupt');
  const session = await open(repo, {
    turns: [{ calls: [{ tool: 'shell', args: { command: 'rm notes.txt' } }] }, { text: 'Carrying on.' }],
  });
  try {
    await session.controller.send('clean up');
    await until(session.controller, (state) => state.approvals.length > 0);
    await session.controller.send('never delivered');
    await session.controller.interrupt();
    assert.equal(session.controller.state.busy, false);
    assert.deepEqual(session.controller.state.queued, [], 'undelivered steering is dropped');
    const finished = session.events.at(-1);
    assert.equal(finished?.type === 'session.finished' && finished.report.status, 'cancelled');
    assert.equal(finished?.type === 'session.finished' && finished.report.reason, 'interrupted with Esc');
    assert.equal(
      await readFile(join(repo, 'notes.txt'), 'utf8'),
      'keep me?\n',
      'the asked command never ran',
    );

    await session.controller.send('go on');
    await session.controller.idle();
    const started = session.events.filter((event) => event.type === 'session.started');
    assert.equal(started.length, 2);
    assert.equal(started[1]?.type === 'session.started' && started[1].resumedFrom, started[0]?.session);
    const reply = session.events.findLast((event) => event.type === 'model.response');
    assert.equal(reply?.type === 'model.response' && reply.text, 'Carrying on.');
    assert.equal(types(session.events).includes('user.message'), false);
  } finally {
    await session.close();
  }
});

test('/model switches the model of the next turn, recorded; a bad id is refused', async () => {
  const repo = await sampleRepo('model');
  const other = join(dir, 'other.json');
  await writeFile(other, JSON.stringify({ turns: [{ text: 'From the other model.' }] }));
  const session = await open(repo, { turns: [{ text: 'From the first model.' }] });
  try {
    await session.controller.send('hello');
    await session.controller.idle();
    assert.equal((await session.controller.commands.switchModel?.('nonsense:x'))?.ok, false);
    const switched = await session.controller.commands.switchModel?.(`script:${other}`);
    assert.equal(switched?.ok, true);
    assert.equal(session.controller.state.info.model, `script:${other}`);
    await session.controller.send('again');
    await session.controller.idle();
    const replies = session.events.filter((event) => event.type === 'model.response');
    assert.deepEqual(
      replies.map((event) => event.type === 'model.response' && event.text),
      ['From the first model.', 'From the other model.'],
    );
    assert.ok(session.events.some((event) => event.type === 'user.command' && event.command === 'model'));
  } finally {
    await session.close();
  }
});

test('/compact shortens what the next request carries, recorded; Ctrl-C while idle records the quit', async () => {
  const repo = await sampleRepo('compact');
  const read = (path: string) => ({ calls: [{ tool: 'read_file', args: { path } }] });
  const session = await open(repo, {
    turns: [
      read('src/sum.js'),
      read('test/sum.test.js'),
      read('README.md'),
      read('AGENTS.md'),
      read('package.json'),
      { text: 'Read them all.' },
      { text: 'Next.' },
    ],
  });
  try {
    assert.equal(
      (await session.controller.commands.compact?.())?.ok,
      false,
      'nothing to compact before a turn',
    );
    await session.controller.send('read everything');
    await session.controller.idle();
    const before = session.events.findLast((event) => event.type === 'model.request');
    const compacted = await session.controller.commands.compact?.();
    assert.equal(compacted?.ok, true, compacted?.text);
    const record = session.events.find((event) => event.type === 'context.compacted');
    assert.ok(record?.type === 'context.compacted' && record.messagesAfter < record.messagesBefore);

    await session.controller.send('and now?');
    await session.controller.idle();
    const next = session.events.findLast((event) => event.type === 'model.request');
    assert.ok(before?.type === 'model.request' && next?.type === 'model.request');
    assert.ok(next.estimatedInputTokens < before.estimatedInputTokens, 'the next request carries less');
    await session.controller.close('quit with Ctrl-C');
    const quit = session.events.at(-1);
    assert.equal(
      quit?.type === 'user.command' && `${quit.command}: ${quit.detail}`,
      'quit: quit with Ctrl-C',
    );
    const audit = await session.controller.commands.audit?.();
    assert.equal(audit?.ok, true, audit?.text);
  } finally {
    await session.close();
  }
});
