import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { treeUsage } from '../src/sandbox/disk-usage.ts';
import { percentile, printTable } from './stats.ts';

/**
 * What counting the workspace costs `limits.disk` (once after each command, and before it when
 * near the cap): a walk of this repository's node_modules, beside `du -s` of the same tree.
 */
export async function benchDiskUsage(runs: number): Promise<void> {
  const tree = realpathSync(new URL('../node_modules', import.meta.url).pathname);
  const { entries } = await treeUsage(tree);
  const walk: number[] = [];
  const du: number[] = [];
  for (let i = 0; i < runs; i++) {
    let started = performance.now();
    await treeUsage(tree);
    walk.push(performance.now() - started);
    started = performance.now();
    await duSummary(tree);
    du.push(performance.now() - started);
  }
  printTable(`counting a workspace for limits.disk (${entries} entries, ${runs} runs, ms)`, [
    {
      name: 'tree walk p50',
      value: percentile(walk, 50),
      unit: 'ms',
      baseline: percentile(du, 50),
      baselineName: 'du -s',
    },
    {
      name: 'tree walk p99',
      value: percentile(walk, 99),
      unit: 'ms',
      baseline: percentile(du, 99),
      baselineName: 'du -s',
    },
  ]);
}

function duSummary(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('du', ['-s', dir], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}
