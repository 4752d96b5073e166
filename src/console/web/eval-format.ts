import type { Slot } from './api.ts';

/**
 * How the Evaluations page writes an evaluation's numbers: as `warden eval report` does
 * (src/eval/report-format.ts, which the browser cannot load: only this directory is served), so the
 * page, the terminal table and the HTML report read alike. src/console/eval-format.test.ts holds the
 * two to the same answers.
 */

/** A mark for each grid slot, so an outcome is told by more than its colour. */
export const SLOT_MARKS: Record<Slot, string> = {
  resolved: '✓',
  unresolved: '·',
  broken: '✗',
  error: '!',
  pending: '…',
};

export const SLOTS = Object.keys(SLOT_MARKS) as Slot[];

/** A rate as a percentage with one decimal; no rate (nothing done) is a dash, as in format.ts. */
export function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}

/** A p-value: three decimals without trailing zeros, tiny ones in exponent form. */
export function pValue(p: number): string {
  if (p >= 0.995) return '1';
  if (p >= 0.001) return p.toFixed(3).replace(/0+$/, '');
  return p.toExponential(1);
}

/** A, B, …, Z, AA, AB, …: contestant `index` in tables, cards and the grid. */
export function contestantLetter(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}

/** Every k up to 3 repeats; beyond that pass@1 and pass@repeats. */
export function passAtKShown(repeats: number): number[] {
  if (repeats <= 3) return Array.from({ length: repeats }, (_, i) => i + 1);
  return [1, repeats];
}

/** `1 trial`, `3 trials`. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
