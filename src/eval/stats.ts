/**
 * The statistics of an evaluation: how sure a resolved rate is (Wilson), how often k tries would
 * have solved an instance (pass@k), and whether two contestants differ on the same instances
 * (McNemar). Pure functions of counts; no dependency.
 */

/** The normal quantile for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  /** successes / n; undefined when n = 0 (no trial, no rate). */
  rate: number | undefined;
  low: number;
  high: number;
}

/**
 * The Wilson score interval for a binomial proportion: unlike the normal ("Wald") interval it stays
 * inside [0, 1] and does not collapse to a point at 0/n or n/n, which small suites hit all the time.
 * n = 0 knows nothing: rate undefined, interval [0, 1].
 */
export function wilson(successes: number, n: number, z: number = Z95): Interval {
  assertCount('successes', successes);
  assertCount('n', n);
  if (successes > n) throw new RangeError(`wilson: successes (${successes}) exceed n (${n})`);
  if (n === 0) return { rate: undefined, low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // The ends are exact at 0/n and n/n; rounding must not put them a hair outside [0, 1] or the rate.
  const low = successes === 0 ? 0 : Math.min(p, Math.max(0, centre - half));
  const high = successes === n ? 1 : Math.max(p, Math.min(1, centre + half));
  return { rate: p, low, high };
}

/**
 * The unbiased estimator of pass@k (Chen et al. 2021, "Evaluating Large Language Models Trained on
 * Code"): the chance that at least one of k tries drawn from n, of which c succeeded, succeeds.
 * 1 − C(n−c, k) / C(n, k), computed as 1 − ∏_{i=n−c+1}^{n} (1 − k/i): binomials overflow, the
 * product does not.
 */
export function passAtK(n: number, c: number, k: number): number {
  assertCount('n', n);
  assertCount('c', c);
  assertCount('k', k);
  if (c > n) throw new RangeError(`passAtK: c (${c}) exceeds n (${n})`);
  if (k < 1 || k > n) throw new RangeError(`passAtK: k (${k}) must be between 1 and n (${n})`);
  if (n - c < k) return 1;
  let allFail = 1;
  for (let i = n - c + 1; i <= n; i++) allFail *= 1 - k / i;
  return 1 - allFail;
}

export interface McNemarResult {
  /** Paired units only the first contestant resolved. */
  b: number;
  /** Paired units only the second contestant resolved. */
  c: number;
  /** Chi-square with Edwards' continuity correction, max(0, |b − c| − 1)² / (b + c); 0 when b + c = 0. */
  statistic: number;
  /** Two-sided. */
  pValue: number;
  /** True when pValue is the exact binomial test (b + c < 25), false for chi-square with 1 df. */
  exact: boolean;
}

/** Below this many discordant pairs the chi-square approximation is poor; the exact test is cheap. */
const EXACT_BELOW = 25;

/**
 * McNemar's test on paired outcomes: only the discordant pairs carry information. Under the null
 * hypothesis each is equally likely to favour either side, so b ~ Binomial(b + c, ½).
 * The correction is clamped at 0 so that b = c (and |b − c| = 1) gives statistic 0 and p = 1.
 */
export function mcnemar(b: number, c: number): McNemarResult {
  assertCount('b', b);
  assertCount('c', c);
  const n = b + c;
  if (n === 0) return { b, c, statistic: 0, pValue: 1, exact: true };
  const statistic = Math.max(0, Math.abs(b - c) - 1) ** 2 / n;
  if (n < EXACT_BELOW) return { b, c, statistic, pValue: exactBinomialTwoSided(b, c), exact: true };
  return { b, c, statistic, pValue: chiSquareSurvival1(statistic), exact: false };
}

/** 2 · P(X ≤ min(b, c)) for X ~ Binomial(b + c, ½), capped at 1. */
function exactBinomialTwoSided(b: number, c: number): number {
  const n = b + c;
  const smaller = Math.min(b, c);
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let tail = term;
  for (let i = 1; i <= smaller; i++) {
    term *= (n - i + 1) / i;
    tail += term;
  }
  return Math.min(1, 2 * tail);
}

/** P(X > x) for X ~ chi-square with 1 degree of freedom: X = Z², so P(|Z| > √x) = erfc(√(x/2)). */
export function chiSquareSurvival1(x: number): number {
  if (!(x > 0)) return 1;
  return erfc(Math.sqrt(x / 2));
}

/**
 * The complementary error function for x ≥ 0, to about 1e-15 relative: a power series near 0 and
 * a continued fraction (evaluated by the modified Lentz method) in the tail, where 1 − erf(x)
 * would lose every digit to cancellation.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2) return 1 - erfSeries(x);
  if (x > 27) return 0; // below the smallest double
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / erfcContinuedFraction(x);
}

/** erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)): every term positive, no cancellation. */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

/** The denominator D in erfc(x) = e^(−x²) / (√π · D), D = x + (1/2)/(x + 1/(x + (3/2)/(x + …))). */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

function assertCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`${name} must be a whole number ≥ 0, got ${value}`);
}
