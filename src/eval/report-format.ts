/** How both reports write things: percentages, p-values, dollars, tokens, dates, counts, outcomes. */
import type { Slot } from './summary.ts';

/** The grid's marks, also its legend. */
export const SLOT_MARKS: Record<Slot, string> = {
  resolved: '✓',
  unresolved: '·',
  broken: '✗',
  error: '!',
  pending: '…',
};

/** Every k up to 3 repeats; beyond that pass@1 and pass@repeats (the JSON report has them all). */
export function passAtKShown(repeats: number): number[] {
  if (repeats <= 3) return Array.from({ length: repeats }, (_, i) => i + 1);
  return [1, repeats];
}

export function percent(value: number | null): string {
  return value === null ? '–' : `${(value * 100).toFixed(1)}%`;
}

export function formatP(p: number): string {
  if (p >= 0.995) return '1';
  if (p >= 0.001) return p.toFixed(3).replace(/0+$/, '');
  return p.toExponential(1);
}

export function dollars(value: number): string {
  if (value === 0) return '$0';
  return value >= 10 ? `$${value.toFixed(2)}` : `$${value.toPrecision(3)}`;
}

export function tokens(value: number | null): string {
  if (value === null) return '–';
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(2)}M`;
  if (value >= 1000) return `${(value / 1000).toFixed(1)}k`;
  return String(Math.round(value));
}

export function decimal(value: number | null): string {
  return value === null ? '–' : value.toFixed(1);
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `1 trial`, `3 trials`. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
