import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visibleWidth } from '@mariozechner/pi-tui';
import fc from 'fast-check';
import { EVENT_SCHEMA_VERSION, type EventBody, type Report, type WardenEvent } from '../../agent/events.ts';
import { Conversation } from './conversation.ts';
import { highlightCode } from './highlight.ts';
import type { ControllerState, SessionController } from './session-controller.ts';
import { runSlash } from './slash-commands.ts';
import { spendOf } from './spend.ts';
import { StatusLine } from './status-line.ts';
import { FOLDED_OUTPUT_LINES } from './tool-card.ts';

// biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes the view adds are what is removed
const SGR = /\u001b\[[0-9;]*m/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not be there
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const plain = (lines: string[]) => lines.map((line) => line.replace(SGR, '').trimEnd());

let seq = 0;
function event(body: EventBody, session = 's1'): WardenEvent {
  seq += 1;
  return { ...body, v: EVENT_SCHEMA_VERSION, session, seq, time: '2026-01-01T00:00:00.000Z' } as WardenEvent;
}

const report = (over: Partial<Report> = {}): Report => ({
  status: 'finished',
  reason: 'the model finished',
  summary: '',
  filesChanged: [],
  diffStat: { files: 1, added: 1, removed: 1 },
  commands: [],
  tokens: { inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 },
  cost: undefined,
  byModel: {},
  durationMs: 1200,
  turns: 1,
  toolCalls: 1,
  toolErrors: 0,
  denials: 0,
  ...over,
});

const usage = { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 0, cacheWriteTokens: 0 };

/** A run that edits a file, runs a command with long output, then asks about an rm. */
function run(): WardenEvent[] {
  return [
    event({ type: 'session.started', task: 'fix the test', model: 'script:a.json', repo: '/r' }),
    event({
      type: 'model.request',
      turn: 1,
      model: 'script:a.json',
      messages: 1,
      estimatedInputTokens: 4000,
    }),
    event({
      type: 'model.response',
      turn: 1,
      model: 'script:a.json',
      text: 'Fixing **sum**.',
      toolCalls: 2,
      usage,
      cost: 0.01,
      finishReason: 'tool-calls',
      durationMs: 5,
      attempts: 1,
    }),
    event({ type: 'tool.requested', callId: 'c1', tool: 'edit_file', args: { path: 'src/sum.js' } }),
    event({
      type: 'policy.decided',
      callId: 'c1',
      tool: 'edit_file',
      decision: 'allow',
      policies: ['files.write[0]'],
      reason: 'ok',
    }),
    event({ type: 'tool.started', callId: 'c1', tool: 'edit_file' }),
    event({
      type: 'file.changed',
      callId: 'c1',
      path: 'src/sum.js',
      kind: 'modified',
      diff: '--- a/src/sum.js\n+++ b/src/sum.js\n@@ -1 +1 @@\n-  return a - b;\n+  return a + b;\n',
    }),
    event({
      type: 'tool.finished',
      callId: 'c1',
      tool: 'edit_file',
      ok: true,
      output: 'edited',
      durationMs: 2,
    }),
    event({ type: 'tool.requested', callId: 'c2', tool: 'shell', args: { command: 'npm test' } }),
    event({
      type: 'policy.decided',
      callId: 'c2',
      tool: 'shell',
      decision: 'allow',
      policies: ['commands.allow[25]'],
      reason: 'ok',
    }),
    event({
      type: 'tool.finished',
      callId: 'c2',
      tool: 'shell',
      ok: true,
      output: `exit code: 1\n[stdout]\n${Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n')}`,
      durationMs: 300,
      command: { command: 'npm test', exitCode: 1, timedOut: false, durationMs: 300 },
    }),
    event({ type: 'tool.requested', callId: 'c3', tool: 'shell', args: { command: 'rm notes.txt' } }),
    event({
      type: 'policy.decided',
      callId: 'c3',
      tool: 'shell',
      decision: 'ask',
      policies: ['commands.ask[13]'],
      reason: 'rm * asks',
    }),
    event({ type: 'approval.requested', callId: 'c3', tool: 'shell', reason: 'rm * asks' }),
  ];
}

test('a run as blocks: the message, the reply, cards with decision and rule, a coloured diff, folded output, the question', () => {
  const conversation = new Conversation();
  for (const e of run()) conversation.add(e);
  conversation.approvals([
    { callId: 'c3', tool: 'shell', summary: 'shell: rm notes.txt', reason: 'rm * asks' },
  ]);
  const lines = conversation.render(80);
  const text = plain(lines);
  assert.ok(lines.every((line) => visibleWidth(line) <= 80));
  assert.ok(text.includes('› fix the test'));
  assert.ok(
    text.some((line) => /^\s+Fixing sum\.$/.test(line)),
    'markdown rendered (no asterisks)',
  );
  const edit = text.find((line) => line.startsWith('✓ edit_file src/sum.js'));
  assert.match(edit ?? '', /ok · 2ms$/, 'the outcome on the right');
  assert.equal(edit?.length, 80);
  assert.ok(text.includes('  allowed · files.write[0]'));
  assert.ok(
    lines.some((line) => line.includes('\u001b[32m+  return a + b;')),
    'an addition is green',
  );
  assert.ok(text.some((line) => /^✗ shell \$ npm test +exit 1 · 300ms$/.test(line)));
  assert.ok(!text.some((line) => line.includes('exit code: 1') || line.includes('[stdout]')));
  assert.ok(text.includes('    line 20') && !text.includes('    line 10'), 'the tail shows, folded');
  assert.ok(text.some((line) => line.includes('more lines (ctrl+o)')));
  assert.ok(text.includes('? shell $ rm notes.txt'));
  assert.ok(text.includes('  asks · commands.ask[13]'));
  assert.ok(text.includes('  Allow shell: rm notes.txt?'));
  assert.ok(text.includes('  [o]nce  [s]ession  [d]eny'));

  // The last card with something folded is the shell run's: Ctrl-O unfolds it.
  assert.equal(conversation.toggleLast(), true);
  const open = plain(conversation.render(80));
  assert.ok(open.includes('    line 1') && open.includes('    line 20'));
  assert.ok(open.filter((line) => /^ {4}line \d+$/.test(line)).length > FOLDED_OUTPUT_LINES);

  conversation.add(event({ type: 'approval.resolved', callId: 'c3', decision: 'deny', by: 'terminal' }));
  conversation.approvals([]);
  conversation.add(
    event({
      type: 'session.finished',
      report: report({ status: 'cancelled', reason: 'interrupted with Esc' }),
    }),
  );
  const after = plain(conversation.render(80));
  assert.ok(after.some((line) => /^⊘ shell \$ rm notes\.txt +not run$/.test(line)));
  assert.ok(after.includes('  not approved (terminal)'));
  assert.ok(!after.some((line) => line.includes('[o]nce')), 'the question is gone once answered');
  assert.ok(after.some((line) => line.startsWith('■ interrupted with Esc · 1 file +1 -1')));
});

test("an MCP server's tool reads as server.tool, marked MCP", () => {
  const conversation = new Conversation();
  conversation.add(
    event({ type: 'tool.requested', callId: 'm1', tool: 'github__create_issue', args: { title: 'x' } }),
  );
  assert.match(plain(conversation.render(80))[0] ?? '', /^○ github\.create_issue MCP \{"title":"x"\}/);
});

test('the reply streams into one block that the recorded reply replaces', () => {
  const conversation = new Conversation();
  conversation.add(
    event({ type: 'model.request', turn: 2, model: 'm', messages: 3, estimatedInputTokens: 10 }),
  );
  conversation.partial(2, 'Hello wo');
  assert.deepEqual(plain(conversation.render(40)), ['  Hello wo']);
  conversation.partial(2, 'Hello world, more');
  conversation.add(
    event({
      type: 'model.response',
      turn: 2,
      model: 'm',
      text: 'Hello world.',
      toolCalls: 0,
      usage,
      cost: undefined,
      finishReason: 'stop',
      durationMs: 1,
      attempts: 1,
    }),
  );
  assert.deepEqual(plain(conversation.render(40)), ['  Hello world.']);
});

test('another session’s events start the conversation over (/resume)', () => {
  const conversation = new Conversation();
  conversation.add(event({ type: 'session.started', task: 'first', model: 'm', repo: '/r' }, 'a'));
  conversation.add(event({ type: 'session.started', task: 'second', model: 'm', repo: '/r' }, 'b'));
  const text = plain(conversation.render(60));
  assert.ok(!text.includes('› first') && text.includes('› second'));
});

test('attack: escape sequences in what the model and tools wrote never reach the terminal, at any width', () => {
  // Clipboard write (OSC 52), a hyperlink hiding its address, screen clear, title change, C1 CSI.
  const hostile = fc.constantFrom(
    '\u001b]52;c;ZWNobyBwd25lZA==\u0007',
    '\u001b]8;;https://evil.example\u001b\\docs\u001b]8;;\u001b\\',
    '\u001b[2J\u001b[H',
    '\u001b]0;title\u0007',
    '\u009b31m',
    '\r',
    '[docs](https://evil.example/x)',
  );
  const text = fc
    .array(fc.oneof(fc.string({ maxLength: 20 }), hostile), { maxLength: 8 })
    .map((parts) => parts.join(''));
  fc.assert(
    fc.property(text, text, fc.integer({ min: 20, max: 160 }), (said, output, width) => {
      const conversation = new Conversation();
      conversation.add(event({ type: 'session.started', task: said, model: 'm', repo: '/r' }));
      conversation.add(
        event({
          type: 'model.response',
          turn: 1,
          model: 'm',
          text: said,
          toolCalls: 1,
          usage,
          cost: undefined,
          finishReason: 'stop',
          durationMs: 1,
          attempts: 1,
        }),
      );
      conversation.add(
        event({ type: 'tool.requested', callId: 'x', tool: 'shell', args: { command: said } }),
      );
      conversation.add(
        event({ type: 'tool.finished', callId: 'x', tool: 'shell', ok: true, output, durationMs: 1 }),
      );
      conversation.toggleLast();
      for (const line of conversation.render(width)) {
        assert.ok(visibleWidth(line) <= width, 'every line fits');
        // Only the colour codes the view adds itself: no OSC, no other CSI, no C1, no CR.
        assert.doesNotMatch(line.replace(SGR, ''), CONTROL);
      }
      const shown = plain(conversation.render(width)).join('\n');
      if (said.includes('[docs](https://evil.example/x)') && width >= 60)
        assert.match(shown, /evil\.example/);
    }),
    { numRuns: 200 },
  );
});

test('the status line: model, tokens, cost, context used, policy, sandbox, network; it fits 80 columns', () => {
  const events = run();
  const spend = spendOf(events);
  const state: ControllerState = {
    busy: true,
    approvals: [],
    queued: ['and the readme'],
    info: {
      model: 'script:/very/long/path/to/a.json',
      contextWindow: 200_000,
      policy: 'team.policy.yaml',
      sandbox: 'bubblewrap',
      network: '2 hosts',
      remote: false,
    },
  };
  const status = new StatusLine(state, spend);
  const [facts = '', keys = ''] = plain(status.render(200));
  assert.equal(
    facts,
    '● working · 1 queued  script:a.json · 1.1k tok · $0.0100 · ctx 2% · policy team.policy.yaml · bwrap · 2 hosts',
  );
  assert.match(keys, /esc stops the turn/);
  for (const line of status.render(80)) assert.ok(visibleWidth(line) <= 80);
  // At 80 columns the names give way, never the sandbox and network state.
  assert.match(plain(status.render(80))[0] ?? '', /· bwrap · 2 hosts$/);
  status.update(
    { ...state, busy: true, approvals: [{ callId: 'c', tool: 'shell', summary: 's', reason: 'r' }] },
    spend,
  );
  assert.match(plain(status.render(80))[0] ?? '', /^● waiting for you \(1\)/);
});

test('slash commands: /help lists what the controller can do; an unknown one says so', async () => {
  const controller = {
    state: { info: { model: 'm' } },
    commands: { diff: async () => ({ title: 'd', text: '', ok: true }) },
  } as unknown as SessionController;
  const help = await runSlash('/help', controller);
  assert.ok('text' in help);
  assert.match(help.text, /\/diff/);
  assert.doesNotMatch(help.text, /\/undo/, 'a capability the controller lacks is not offered');
  const unknown = await runSlash('/undo', controller);
  assert.ok('ok' in unknown && unknown.ok === false);
  assert.deepEqual(await runSlash('/quit', controller), { quit: true });
  assert.deepEqual(await runSlash('/diff', controller), { title: 'd', text: '', ok: true });
});

test('property: highlighting only adds colour, whatever the code', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 200 }),
      fc.constantFrom(undefined, 'js', 'py', 'sh', 'rust'),
      (code, lang) => {
        assert.deepEqual(
          highlightCode(code, lang).map((line) => line.replace(SGR, '')),
          code.split('\n'),
        );
      },
    ),
  );
  assert.ok(highlightCode('const x = "a"; // note', 'js')[0]?.includes('\u001b[35mconst\u001b[39m'));
});
