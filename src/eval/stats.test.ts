import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { chiSquareSurvival1, erfc, mcnemar, passAtK, wilson } from './stats.ts';

function close(actual: number | undefined, expected: number, digits = 9): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 10 ** -digits, `${actual} ≠ ${expected}`);
}

// Wilson: with z = 1.959963984540054, z² = 3.8414588206941
//   centre = (p + z²/2n) / (1 + z²/n),  half = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²)
test('Wilson 6/12: 0.2538 .. 0.7462 around 0.5', () => {
  // z²/n = 3.8414588/12 = 0.3201216; 1 + z²/n = 1.3201216
  // centre = (0.5 + 0.1600608) / 1.3201216 = 0.5
  // half = 1.959964 / 1.3201216 · √(0.25/12 + 3.8414588/576) = 1.4846819 · √0.0275025 = 0.2462184
  const interval = wilson(6, 12);
  assert.equal(interval.rate, 0.5);
  close(interval.low, 0.5 - 0.2462184024);
  close(interval.high, 0.5 + 0.2462184024);
});

test('Wilson 12/12: 0.7575 .. 1, not the point interval the normal approximation gives', () => {
  // centre = (1 + 0.1600608) / 1.3201216 = 0.8787530
  // half = 1.4846819 · √(0 + 3.8414588/576) = 1.4846819 · 0.0816660 = 0.1212470
  const interval = wilson(12, 12);
  assert.equal(interval.rate, 1);
  close(interval.low, 0.8787529967 - 0.1212470033);
  assert.equal(interval.high, 1);
});

test('Wilson 0/12: 0 .. 0.2425', () => {
  // centre = (0 + 0.1600608) / 1.3201216 = 0.1212470; half is the same 0.1212470
  const interval = wilson(0, 12);
  assert.equal(interval.rate, 0);
  assert.equal(interval.low, 0);
  close(interval.high, 2 * 0.1212470033);
});

test('Wilson 1/3: 0.0615 .. 0.7923', () => {
  // z²/n = 1.2804863; 1 + z²/n = 2.2804863
  // centre = (1/3 + 3.8414588/6) / 2.2804863 = (0.3333333 + 0.6402431) / 2.2804863 = 0.4269162
  // half = 1.959964 / 2.2804863 · √((2/9)/3 + 3.8414588/36) = 0.8594506 · √0.1807813 = 0.3654242
  const interval = wilson(1, 3);
  close(interval.low, 0.426916172 - 0.3654242272);
  close(interval.high, 0.426916172 + 0.3654242272);
});

test('Wilson with no trials knows nothing: no rate, the whole of [0, 1]', () => {
  assert.deepEqual(wilson(0, 0), { rate: undefined, low: 0, high: 1 });
});

test('Wilson refuses counts that are not counts', () => {
  assert.throws(() => wilson(3, 2), /exceed/);
  assert.throws(() => wilson(-1, 2), /whole number/);
  assert.throws(() => wilson(1.5, 2), /whole number/);
});

test('Wilson: the interval holds the rate, stays in [0, 1], and narrows as n grows at the same rate', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 500 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
      const successes = Math.round(share * n);
      const { rate, low, high } = wilson(successes, n);
      assert.ok(rate !== undefined);
      assert.ok(0 <= low && low <= rate && rate <= high && high <= 1, `${low} ${rate} ${high}`);
      const doubled = wilson(2 * successes, 2 * n);
      assert.ok(doubled.high - doubled.low < high - low);
    }),
  );
});

test('pass@k for small n, against the binomials written out', () => {
  // n = 5, c = 2: pass@k = 1 − C(3, k) / C(5, k)
  close(passAtK(5, 2, 1), 1 - 3 / 5); // 1 − 3/5 = 0.4 (= c/n: pass@1 is the plain rate)
  close(passAtK(5, 2, 2), 1 - 3 / 10); // C(3,2) = 3, C(5,2) = 10 → 0.7
  close(passAtK(5, 2, 3), 1 - 1 / 10); // C(3,3) = 1, C(5,3) = 10 → 0.9
  assert.equal(passAtK(5, 2, 4), 1); // C(3,4) = 0: four draws from five always include a success
  close(passAtK(4, 1, 2), 1 - 3 / 6); // C(3,2) = 3, C(4,2) = 6 → 0.5
  close(passAtK(10, 3, 5), 1 - 21 / 252); // C(7,5) = 21, C(10,5) = 252 → 0.9166667
  assert.equal(passAtK(3, 0, 3), 0);
  assert.equal(passAtK(3, 3, 1), 1);
});

test('pass@k refuses k outside 1..n and c above n', () => {
  assert.throws(() => passAtK(3, 1, 0), /between 1 and n/);
  assert.throws(() => passAtK(3, 1, 4), /between 1 and n/);
  assert.throws(() => passAtK(3, 4, 1), /exceeds n/);
});

test('pass@k never falls as k or c grows, stays in [0, 1], and pass@1 is c/n', () => {
  fc.assert(
    fc.property(
      fc
        .integer({ min: 1, max: 60 })
        .chain((n) =>
          fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.integer({ min: 1, max: n })),
        ),
      ([n, c, k]) => {
        const value = passAtK(n, c, k);
        assert.ok(value >= 0 && value <= 1);
        if (k < n) assert.ok(passAtK(n, c, k + 1) >= value - 1e-12);
        if (c < n) assert.ok(passAtK(n, c + 1, k) >= value - 1e-12);
        if (k === 1) close(value, c / n, 12);
      },
    ),
  );
});

test('McNemar b = 7, c = 1: exact two-sided p = 0.0703125', () => {
  // 2 · P(X ≤ 1), X ~ Binomial(8, ½) = 2 · (C(8,0) + C(8,1)) / 2⁸ = 2 · 9/256 = 18/256 = 0.0703125
  // statistic (|7 − 1| − 1)² / 8 = 25/8 = 3.125
  assert.deepEqual(mcnemar(7, 1), { b: 7, c: 1, statistic: 3.125, pValue: 0.0703125, exact: true });
});

test('McNemar with 25 discordant pairs or more uses chi-square with 1 df', () => {
  // b = 20, c = 5: statistic (15 − 1)² / 25 = 196/25 = 7.84
  // p = erfc(√(7.84/2)) = erfc(1.9798990) = 0.0051103 (chi-square table: 7.84 lies between 6.63 at
  // p = 0.01 and 10.83 at p = 0.001)
  const result = mcnemar(20, 5);
  assert.equal(result.exact, false);
  close(result.statistic, 7.84, 12);
  close(result.pValue, 0.00511026066, 10);
});

test('McNemar with b = c finds no difference: p = 1', () => {
  for (const n of [0, 1, 5, 12, 13, 40]) {
    const result = mcnemar(n, n);
    assert.equal(result.pValue, 1, `b = c = ${n}`);
    assert.equal(result.statistic, 0);
  }
});

test('McNemar: p is in [0, 1], the same with the contestants swapped, and smaller the more lopsided', () => {
  fc.assert(
    fc.property(fc.nat(80), fc.nat(80), (b, c) => {
      const result = mcnemar(b, c);
      assert.ok(result.pValue >= 0 && result.pValue <= 1);
      const swapped = mcnemar(c, b);
      assert.equal(swapped.pValue, result.pValue);
      assert.equal(swapped.statistic, result.statistic);
      // Moving one discordant pair to the side already ahead never makes the difference less sure.
      if (b >= c && c > 0) assert.ok(mcnemar(b + 1, c - 1).pValue <= result.pValue);
    }),
  );
});

test('erfc and the chi-square tail against published values', () => {
  // Abramowitz & Stegun table 7.1 / any erfc table.
  close(erfc(0), 1, 15);
  close(erfc(0.5) / 0.4795001221869535, 1, 13);
  close(erfc(1) / 0.1572992070502851, 1, 13);
  close(erfc(2) / 0.004677734981047266, 1, 13);
  close(erfc(3) / 2.209049699858544e-5, 1, 13);
  close(erfc(5) / 1.537459794428035e-12, 1, 13);
  close(erfc(-1), 2 - 0.1572992070502851, 13);
  // The 95% critical value of chi-square with 1 df is z² = 3.8414588.
  close(chiSquareSurvival1(3.841458820694124), 0.05, 12);
  close(chiSquareSurvival1(6.634896601021214), 0.01, 12);
  assert.equal(chiSquareSurvival1(0), 1);
});
