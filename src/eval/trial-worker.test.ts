import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseTrialJobId, pendingTrials, trialDirName, trialJobId } from './trial-worker.ts';
import type { TrialRecord } from './types.ts';

const trial = (
  instanceId: string,
  contestant: number,
  repeat: number,
  status: TrialRecord['status'] = 'queued',
): TrialRecord => ({
  runId: 'e1',
  instanceId,
  contestant,
  repeat,
  status,
  attempts: 0,
  result: undefined,
  startedAt: undefined,
  finishedAt: undefined,
});

describe('trial jobs', () => {
  it('carry any instance id through the queue and back', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(15), fc.nat(99), (instanceId, contestant, repeat) => {
        const key = { instanceId, contestant, repeat };
        assert.deepEqual(parseTrialJobId(trialJobId('e20261207-abcd', key)), {
          runId: 'e20261207-abcd',
          key,
        });
      }),
    );
  });

  it('give two different trials two different directories, however alike their ids read', () => {
    for (const [a, b] of [
      ['cal 1', 'cal_1'],
      ['cal:1', 'cal/1'],
      [`${'x'.repeat(120)}a`, `${'x'.repeat(120)}b`],
    ]) {
      assert.notEqual(trialDirName(`e1/0/0/${a}`, 1), trialDirName(`e1/0/0/${b}`, 1));
    }
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        fc.pre(a !== b);
        const [x, y] = [trialDirName(a, 1), trialDirName(b, 1)];
        assert.notEqual(x, y);
        assert.match(x, /^[\w.-]+$/);
      }),
    );
  });

  it('run fairly: each instance by every contestant in turn, a repeat at a time, done ones left out', () => {
    const trials = [
      trial('a', 0, 0),
      trial('a', 0, 1),
      trial('a', 1, 0, 'done'),
      trial('a', 1, 1),
      trial('b', 0, 0),
      trial('b', 0, 1),
      trial('b', 1, 0),
      trial('b', 1, 1),
    ];
    assert.deepEqual(
      pendingTrials(trials).map((t) => `${t.instanceId}${t.contestant}${t.repeat}`),
      ['a00', 'b00', 'b10', 'a01', 'a11', 'b01', 'b11'],
    );
  });
});
