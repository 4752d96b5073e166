import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { forTerminal } from '../cli/terminal.ts';
import { formatP } from '../eval/report-format.ts';
import { summarise } from '../eval/summary.ts';
import { doneTrial, queuedTrial, result, runRecord, sampleRun } from '../eval/testing/sample-run.ts';
import { renderTextReport } from './eval-report-text.ts';

const columns = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

test('the report shows the numbers: rates, intervals, pass@k, spend, pairs, and what is pending', () => {
  const trials = [
    doneTrial({ instanceId: 'i1', contestant: 0, repeat: 0 }, result('resolved', { cost: 0.25 })),
    doneTrial({ instanceId: 'i2', contestant: 0, repeat: 0 }, result('broken', { cost: 0.25 })),
    doneTrial({ instanceId: 'i1', contestant: 1, repeat: 0 }, result('unresolved', { cost: undefined })),
    queuedTrial({ instanceId: 'i2', contestant: 1, repeat: 0 }),
  ];
  const run = runRecord(
    [
      { agent: 'warden', model: 'openai:gpt-5.5' },
      { agent: 'codex', model: 'ollama:qwen' },
    ],
    1,
    2,
  );
  const text = renderTextReport(summarise(run, trials, ['i1', 'i2']), { color: false });
  assert.match(text, /A {2}warden\/openai:gpt-5\.5\n {2}B {2}codex\/ollama:qwen/);
  // A: 1 of 2 resolved, Wilson 1/2 = 9.5%–90.5%; B: 0 of 1, Wilson 0/1 = 0–79.3%.
  assert.match(text, /A +2\/2 +1 +50\.0% +9\.5–90\.5% +1 +0 +50\.0%/);
  assert.match(text, /B +1\/2 +0 +0\.0% +0\.0–79\.3% +0 +0 +0\.0%/);
  assert.match(text, /A +1\.0k +100 +\$0\.250 +\$0\.500 +10\.0s/);
  assert.match(text, /B +1\.0k +100 +unpriced +unpriced/);
  assert.match(
    text,
    /A vs B {2}only A 1 · only B 0 · both 0 · neither 0 · of 1 paired trials\n +p = 1 \(exact\)/,
  );
  assert.match(text, /only A solved: i1/);
  assert.match(text, /\n {2}i1 +✓ {2}·\n {2}i2 +✗ {2}…\n/);
  assert.match(text, /1 of 4 trials pending/);
  assert.ok(!text.includes('\u001b'));
});

test('colour only when asked, and the same text under it', () => {
  const { run, trials, instanceIds } = sampleRun(5);
  const summary = summarise(run, trials, instanceIds);
  const plain = renderTextReport(summary, { color: false });
  const coloured = renderTextReport(summary, { color: true });
  assert.ok(coloured.includes('\u001b[32m✓'));
  assert.equal(forTerminal(coloured), plain);
});

test('fits 100 columns, whatever the names', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 140 }), {
        minLength: 1,
        maxLength: 6,
      }),
      fc.array(fc.string({ unit: 'binary-ascii', maxLength: 160 }), { minLength: 2, maxLength: 4 }),
      fc.integer({ min: 1, max: 5 }),
      (ids, models, repeats) => {
        const unique = [...new Set(ids)];
        const run = runRecord(
          models.map((model) => ({ agent: 'warden', model })),
          repeats,
          unique.length,
        );
        // Every instance solved by the first contestant only: the id lists are as long as they get.
        const trials = unique.flatMap((instanceId) =>
          models.map((_, contestant) =>
            doneTrial(
              { instanceId, contestant, repeat: 0 },
              result(contestant === 0 ? 'resolved' : 'unresolved'),
            ),
          ),
        );
        const text = renderTextReport(summarise(run, trials, unique), { color: false });
        assert.ok(columns(text) <= 100, text);
      },
    ),
    { numRuns: 60 },
  );
});

test('instance ids and model names cannot drive the terminal', () => {
  const hostile = 'x\u001b]0;pwned\u0007\u001b[2J\nfake line\u009b31m';
  const run = runRecord([{ agent: 'warden', model: hostile }], 1, 1);
  const trials = [doneTrial({ instanceId: hostile, contestant: 0, repeat: 0 }, result('resolved'))];
  const text = renderTextReport(summarise(run, trials, [hostile]), { color: false });
  for (const control of ['\u001b', '\u0007', '\u009b']) assert.ok(!text.includes(control));
  assert.doesNotMatch(text, /pwned/);
  assert.doesNotMatch(text, /^fake line/m);
  assert.match(text, /warden\/x fake line31m/);
});

test('p-values read as people write them', () => {
  assert.deepEqual([1, 0.9961, 0.0703125, 0.05, 0.039, 0.0019, 0.00051].map(formatP), [
    '1',
    '1',
    '0.07',
    '0.05',
    '0.039',
    '0.002',
    '5.1e-4',
  ]);
});
