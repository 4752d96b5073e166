/** Percentiles over a sample, for benchmark tables. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export interface Row {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  baselineName: string;
}

export function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  for (const row of rows) {
    const ratio = row.value / row.baseline;
    console.log(
      `  ${row.name.padEnd(44)} ${row.value.toFixed(2).padStart(9)} ${row.unit.padEnd(4)}` +
        `  baseline ${row.baselineName}: ${row.baseline.toFixed(2)} ${row.unit}  ratio ${ratio.toFixed(2)}x`,
    );
  }
}
