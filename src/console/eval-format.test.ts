import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  count,
  formatP,
  passAtKShown as reportPassAtK,
  percent as reportPercent,
} from '../eval/report-format.ts';
import { contestantLetter as reportLetter } from '../eval/summary.ts';
import { contestantLetter, counted, passAtKShown, percent, pValue } from './web/eval-format.ts';

// The console's copy of the reports' number formats (the browser is served web/ alone) says what
// `warden eval report` and the HTML report say for every value.
test('the Evaluations page writes rates, p-values, letters and counts as the reports do', () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (rate) => {
      assert.equal(percent(rate), reportPercent(rate));
      assert.equal(pValue(rate), formatP(rate));
    }),
  );
  fc.assert(
    fc.property(fc.nat(20_000), (n) => {
      assert.equal(contestantLetter(n), reportLetter(n));
      assert.equal(counted(n, 'trial'), count(n, 'trial'));
    }),
  );
  for (let repeats = 1; repeats <= 12; repeats++)
    assert.deepEqual(passAtKShown(repeats), reportPassAtK(repeats));
  // Only "no rate" differs: the console's dash, as everywhere else on its pages.
  assert.equal(percent(null), '—');
});
