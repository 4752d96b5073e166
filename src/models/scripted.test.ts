import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WardenError } from '../errors.ts';
import { createModelClient, type ModelEndpoint } from './client.ts';
import type { RetryClock } from './retry.ts';
import { createScriptedModel } from './scripted.ts';
import { deltaLog, sampleRequest } from './testing/turn-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'warden-script-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function scriptFile(script: unknown, raw?: string): string {
  const name = `script-${counter++}.json`;
  writeFileSync(join(dir, name), raw ?? JSON.stringify(script));
  return name;
}

const noWait: RetryClock = { sleep: async () => {}, random: () => 0, now: () => 0 };

function scriptedClient(file: string) {
  const endpoint: ModelEndpoint = {
    info: { id: `script:${file}`, provider: 'script', model: file, contextWindow: 128_000, price: undefined },
    model: createScriptedModel(file, { baseDir: dir }),
    authFix: 'the script asked for an auth failure',
  };
  return createModelClient({
    primary: endpoint,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    clock: noWait,
  });
}

describe('the scripted model', () => {
  it('answers call n with turn n, then ends with empty text and stop', async () => {
    const client = scriptedClient(
      scriptFile({
        turns: [
          {
            text: 'Looking at the failing test.',
            calls: [{ tool: 'read_file', args: { path: 'src/sum.js' } }],
          },
          {
            calls: [
              { tool: 'edit_file', args: { path: 'src/sum.js', old_string: 'a - b', new_string: 'a + b' } },
              { tool: 'shell', args: { command: 'npm test' } },
            ],
          },
          { text: 'Fixed: sum used subtraction.' },
        ],
      }),
    );
    const log = deltaLog();
    const first = await client.turn(sampleRequest(), log.onDelta);
    assert.equal(first.text, 'Looking at the failing test.');
    assert.equal(log.text(), 'Looking at the failing test.');
    assert.deepEqual(first.toolCalls, [
      { id: 'script-1-1', name: 'read_file', input: '{"path":"src/sum.js"}' },
    ]);
    assert.equal(first.finishReason, 'tool-calls');

    const second = await client.turn(sampleRequest());
    assert.equal(second.text, '');
    assert.deepEqual(
      second.toolCalls.map((call) => [call.id, call.name, JSON.parse(call.input)]),
      [
        ['script-2-1', 'edit_file', { path: 'src/sum.js', old_string: 'a - b', new_string: 'a + b' }],
        ['script-2-2', 'shell', { command: 'npm test' }],
      ],
    );

    const third = await client.turn(sampleRequest());
    assert.equal(third.text, 'Fixed: sum used subtraction.');
    assert.equal(third.finishReason, 'stop');

    const after = await client.turn(sampleRequest());
    assert.deepEqual([after.text, after.toolCalls, after.finishReason], ['', [], 'stop']);
  });

  it('estimates usage at about four characters a token', async () => {
    const client = scriptedClient(scriptFile({ turns: [{ text: 'x'.repeat(400) }] }));
    const turn = await client.turn(sampleRequest({ system: 's'.repeat(4000), tools: [] }));
    assert.equal(turn.usage.outputTokens, 100);
    assert.ok(
      turn.usage.inputTokens >= 1000 && turn.usage.inputTokens < 1100,
      String(turn.usage.inputTokens),
    );
  });

  it('sends raw_args verbatim, malformed as they are', async () => {
    const client = scriptedClient(
      scriptFile({ turns: [{ calls: [{ tool: 'shell', raw_args: '{"command": "ls' }] }] }),
    );
    const turn = await client.turn(sampleRequest());
    assert.deepEqual(turn.toolCalls, [{ id: 'script-1-1', name: 'shell', input: '{"command": "ls' }]);
  });

  it('simulates a 429 that the client retries into the next turn', async () => {
    const client = scriptedClient(
      scriptFile({
        turns: [{ error: { status: 429, message: 'slow down', retry_after: 0 } }, { text: 'done' }],
      }),
    );
    const log = deltaLog();
    const turn = await client.turn(sampleRequest(), log.onDelta);
    assert.equal(turn.text, 'done');
    assert.equal(turn.attempts, 2);
    assert.deepEqual(
      log.deltas
        .filter((delta) => delta.type === 'retry')
        .map((delta) => delta.type === 'retry' && delta.reason),
      ['429: slow down'],
    );
  });

  it('simulates a 401 as an auth failure, without retrying', async () => {
    const client = scriptedClient(scriptFile({ turns: [{ error: { status: 401 } }, { text: 'never' }] }));
    await assert.rejects(client.turn(sampleRequest()), (error: unknown) => {
      assert.ok(error instanceof WardenError);
      assert.equal(error.code, 'model.auth');
      return true;
    });
  });

  it('resolves the file from the base dir', () => {
    mkdirSync(join(dir, 'drills'), { recursive: true });
    writeFileSync(join(dir, 'drills', 'a.json'), '{"turns": []}');
    assert.equal(createScriptedModel('drills/a.json', { baseDir: dir }).modelId, 'drills/a.json');
  });

  const bad: Array<[string, unknown, string | undefined, RegExp]> = [
    [
      'a call without a tool',
      { turns: [{ calls: [{ args: {} }] }] },
      undefined,
      /\$\.turns\[0\]\.calls\[0\]\.tool/,
    ],
    [
      'both args and raw_args',
      { turns: [{}, { calls: [{ tool: 'shell', args: {}, raw_args: '{' }] }] },
      undefined,
      /\$\.turns\[1\]\.calls\[0\].*exactly one of "args" or "raw_args"/,
    ],
    ['an unknown key', { turns: [{ txt: 'typo' }] }, undefined, /\$\.turns\[0\]/],
    ['no turns', { steps: [] }, undefined, /\$/],
    [
      'an error status that is not an error',
      { turns: [{ error: { status: 200 } }] },
      undefined,
      /turns\[0\]\.error\.status/,
    ],
    ['broken JSON', undefined, '{"turns": [', /not valid JSON/],
  ];
  for (const [what, script, raw, message] of bad) {
    it(`rejects a script with ${what}, naming the file and the JSON path`, () => {
      const file = scriptFile(script, raw);
      assert.throws(
        () => createScriptedModel(file, { baseDir: dir }),
        (error: unknown) => {
          assert.ok(error instanceof WardenError);
          assert.equal(error.code, 'model.script');
          assert.equal(error.where, join(dir, file));
          assert.match(error.message, message);
          return true;
        },
      );
    });
  }

  it('rejects a missing file, naming it', () => {
    assert.throws(
      () => createScriptedModel('nope.json', { baseDir: dir }),
      (error: unknown) => error instanceof WardenError && error.where === join(dir, 'nope.json'),
    );
  });
});
