import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { wilson } from './stats.ts';
import { contestantLetter, type EvalSummary, OUTCOMES, summarise } from './summary.ts';
import { doneTrial, queuedTrial, result, runRecord, sampleRun } from './testing/sample-run.ts';
import type { TrialOutcome, TrialRecord } from './types.ts';

const A = { agent: 'warden', model: 'openai:gpt-5.5' };
const B = { agent: 'warden', model: 'script:/contestants/half' };

/**
 *            i1      i2      i3
 *   A     R  R    R  U    B  E
 *   B     R  U    U  U    R  …     (R resolved, U unresolved, B broken, E error, … queued)
 */
function smallRun(): TrialRecord[] {
  const a: TrialOutcome[] = ['resolved', 'resolved', 'resolved', 'unresolved', 'broken', 'error'];
  const b: TrialOutcome[] = ['resolved', 'unresolved', 'unresolved', 'unresolved', 'resolved'];
  const bWall = [5000, 1000, 3000, 2000, 4000];
  const trials: TrialRecord[] = [];
  a.forEach((outcome, i) => {
    const key = { instanceId: `i${Math.floor(i / 2) + 1}`, contestant: 0, repeat: i % 2 };
    trials.push(
      doneTrial(key, result(outcome, { wallMs: 1000 * (i + 1), inputTokens: 100 * (i + 1), cost: 0.5 })),
    );
  });
  b.forEach((outcome, i) => {
    const key = { instanceId: `i${Math.floor(i / 2) + 1}`, contestant: 1, repeat: i % 2 };
    // One trial without a price makes the whole contestant unpriced.
    trials.push(
      doneTrial(key, result(outcome, { wallMs: bWall[i], denials: i, cost: i === 3 ? undefined : 0.1 })),
    );
  });
  trials.push(queuedTrial({ instanceId: 'i3', contestant: 1, repeat: 1 }));
  return trials;
}

test('per contestant: outcomes, resolved rate with its Wilson interval, spend, pending', () => {
  const summary = summarise(runRecord([A, B], 2, 3), smallRun(), ['i1', 'i2', 'i3']);
  assert.deepEqual(summary.trials, { total: 12, done: 11, pending: 1 });
  const [a, b] = summary.contestants;
  assert.ok(a && b);
  assert.equal(a.label, 'warden/openai:gpt-5.5');
  assert.deepEqual(a.trials, { total: 6, done: 6, pending: 0 });
  assert.deepEqual(a.outcomes, { resolved: 3, unresolved: 1, broken: 1, error: 1 });
  const interval = wilson(3, 6);
  assert.deepEqual(a.resolved, { count: 3, rate: 0.5, low: interval.low, high: interval.high });
  // Tokens 100 + 200 + … + 600 = 2100 over 6 trials; output is 100 each.
  assert.deepEqual(a.tokens, { input: { total: 2100, mean: 350 }, output: { total: 600, mean: 100 } });
  assert.deepEqual(a.cost, { total: 3, mean: 0.5 });
  // Wall 1..6 s: mean 3.5 s, median (3 + 4) / 2 = 3.5 s.
  assert.deepEqual(a.wallMs, { mean: 3500, median: 3500 });
  assert.deepEqual(a.turns, { total: 24, mean: 4 });

  assert.deepEqual(b.trials, { total: 6, done: 5, pending: 1 });
  assert.deepEqual(b.outcomes, { resolved: 2, unresolved: 3, broken: 0, error: 0 });
  assert.equal(b.resolved.rate, 0.4);
  assert.equal(b.cost, 'unpriced');
  // Wall 5, 1, 3, 2, 4 s: median 3 s, mean 3 s. Denials 0 + 1 + 2 + 3 + 4 = 10, mean 2.
  assert.deepEqual(b.wallMs, { mean: 3000, median: 3000 });
  assert.deepEqual(b.denials, { total: 10, mean: 2 });
});

test('pass@k is averaged over the instances with at least k done repeats', () => {
  const [a, b] = summarise(runRecord([A, B], 2, 3), smallRun(), ['i1', 'i2', 'i3']).contestants;
  // A: pass@1 per instance = c/n: i1 2/2, i2 1/2, i3 0/2 → (1 + 0.5 + 0) / 3 = 0.5
  //    pass@2: i1 1; i2 1 − C(1,2)/C(2,2) = 1 − 0 = 1; i3 0 → 2/3
  assert.deepEqual(a?.passAtK, [
    { k: 1, value: 0.5, instances: 3 },
    { k: 2, value: 2 / 3, instances: 3 },
  ]);
  // B: pass@1: i1 1/2, i2 0/2, i3 1/1 (its second repeat is pending) → 1.5 / 3 = 0.5
  //    pass@2: i3 has one done repeat and sits out; i1 1, i2 0 → 0.5 over 2 instances
  assert.deepEqual(b?.passAtK, [
    { k: 1, value: 0.5, instances: 3 },
    { k: 2, value: 0.5, instances: 2 },
  ]);
});

test('per instance: the outcome of every repeat, pending until graded', () => {
  const summary = summarise(runRecord([A, B], 2, 3), smallRun(), ['i1', 'i2', 'i3']);
  assert.deepEqual(summary.instances, [
    {
      id: 'i1',
      outcomes: [
        ['resolved', 'resolved'],
        ['resolved', 'unresolved'],
      ],
    },
    {
      id: 'i2',
      outcomes: [
        ['resolved', 'unresolved'],
        ['unresolved', 'unresolved'],
      ],
    },
    {
      id: 'i3',
      outcomes: [
        ['broken', 'error'],
        ['resolved', 'pending'],
      ],
    },
  ]);
});

test('pairs: McNemar over the units both have done, and the instances only one solved', () => {
  const [pair] = summarise(runRecord([A, B], 2, 3), smallRun(), ['i1', 'i2', 'i3']).pairs;
  // Units: i1#0 R/R both, i1#1 R/U only A, i2#0 R/U only A, i2#1 U/U neither, i3#0 B/R only B;
  // i3#1 is not paired (B's is pending). McNemar b = 2, c = 1: 2 · P(X ≤ 1 | n = 3) = 2 · 4/8 = 1.
  assert.deepEqual(pair, {
    a: 0,
    b: 1,
    paired: 5,
    bothResolved: 1,
    neitherResolved: 1,
    onlyA: 2,
    onlyB: 1,
    mcnemar: { statistic: 0, pValue: 1, exact: true },
    instancesOnlyA: ['i2'],
    instancesOnlyB: ['i3'],
  });
});

test('a run with nothing done yet: everything pending, no rates, nothing to compare', () => {
  const summary = summarise(runRecord([A, B, A], 3, 2), [], ['x', 'y']);
  assert.deepEqual(summary.trials, { total: 18, done: 0, pending: 18 });
  const first = summary.contestants[0];
  assert.deepEqual(first?.resolved, { count: 0, rate: null, low: 0, high: 1 });
  assert.deepEqual(first?.cost, { total: 0, mean: null });
  assert.deepEqual(first?.wallMs, { mean: null, median: null });
  assert.deepEqual(
    first?.passAtK.map((p) => p.value),
    [null, null, null],
  );
  assert.deepEqual(
    summary.pairs.map((p) => [p.a, p.b, p.paired, p.mcnemar.pValue]),
    [
      [0, 1, 0, 1],
      [0, 2, 0, 1],
      [1, 2, 0, 1],
    ],
  );
  assert.deepEqual(summary.instances[1], {
    id: 'y',
    outcomes: Array(3).fill(['pending', 'pending', 'pending']),
  });
});

test('an instance only the trials name is listed after the given ones, not dropped', () => {
  const trials = [doneTrial({ instanceId: 'stray', contestant: 0, repeat: 0 }, result('resolved'))];
  const summary = summarise(runRecord([A], 1, 1), trials, ['i1']);
  assert.deepEqual(
    summary.instances.map((i) => i.id),
    ['i1', 'stray'],
  );
  assert.equal(summary.trials.total, 2);
});

test('a trial naming a contestant or repeat the run does not have is a clear one-line error', () => {
  const trials = [doneTrial({ instanceId: 'i1', contestant: 2, repeat: 0 }, result('resolved'))];
  assert.throws(
    () => summarise(runRecord([A, B], 1, 1), trials, ['i1']),
    /^Error: run run-1: trial i1 names contestant 2, repeat 0, but the run has 2 contestants × 1 repeats$/,
  );
});

test('the summary is plain JSON: it survives stringify and parse unchanged (the --json report)', () => {
  const { run, trials, instanceIds } = sampleRun(7);
  const summary = summarise(run, trials, instanceIds);
  assert.deepEqual(JSON.parse(JSON.stringify(summary)) as EvalSummary, summary);
  assert.equal(summary.trials.pending, 7);
});

test('counts agree with each other on any run', () => {
  const outcome = fc.constantFrom<TrialOutcome | 'pending'>(...OUTCOMES, 'pending');
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 4 }),
      fc.infiniteStream(outcome),
      (contestants, repeats, instances, outcomes) => {
        const run = runRecord(
          Array.from({ length: contestants }, (_, i) => ({ agent: 'warden', model: `m${i}` })),
          repeats,
          instances,
        );
        const ids = Array.from({ length: instances }, (_, i) => `i${i}`);
        const trials: TrialRecord[] = [];
        for (const instanceId of ids)
          for (let contestant = 0; contestant < contestants; contestant++)
            for (let repeat = 0; repeat < repeats; repeat++) {
              const picked = outcomes.next().value as TrialOutcome | 'pending';
              const key = { instanceId, contestant, repeat };
              trials.push(picked === 'pending' ? queuedTrial(key) : doneTrial(key, result(picked)));
            }
        const summary = summarise(run, trials, ids);
        assert.equal(summary.trials.done + summary.trials.pending, summary.trials.total);
        for (const c of summary.contestants) {
          assert.equal(
            OUTCOMES.reduce((sum, o) => sum + c.outcomes[o], 0),
            c.trials.done,
          );
          for (const p of c.passAtK) assert.ok(p.value === null || (p.value >= 0 && p.value <= 1));
        }
        for (const pair of summary.pairs) {
          assert.equal(pair.bothResolved + pair.neitherResolved + pair.onlyA + pair.onlyB, pair.paired);
          if (summary.trials.pending === 0) {
            const [a, b] = [summary.contestants[pair.a], summary.contestants[pair.b]];
            assert.equal(pair.onlyA - pair.onlyB, (a?.resolved.count ?? 0) - (b?.resolved.count ?? 0));
          }
          assert.ok(pair.instancesOnlyA.every((id) => !pair.instancesOnlyB.includes(id)));
        }
      },
    ),
  );
});

test('contestants are lettered A … Z, then AA, AB', () => {
  assert.deepEqual([0, 1, 25, 26, 27, 51, 52].map(contestantLetter), ['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA']);
});
