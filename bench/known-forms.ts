import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createKnownMatcher } from '../src/guard/known-matcher.ts';
import { createRedactor } from '../src/guard/redactor.ts';
import { percentile, printTable } from './stats.ts';

const CORPUS_BYTES = 8 * 1024 * 1024;

/**
 * Known values in every form (reversed, hex, base64 at three alignments, URL-encoded, pieces):
 * the scan's cost as the number of values grows, against one regular expression of the values in
 * their plain form only (what the redactor did before it knew the other forms).
 */
export async function benchKnownForms(runs: number): Promise<void> {
  const text = corpus();
  const megabytes = Buffer.byteLength(text) / 1024 / 1024;
  const rows = [];
  for (const count of [1, 10, 100, 1000]) {
    const values = Array.from({ length: count }, (_, i) => ({
      value: randomBytes(24).toString('base64url'),
      kind: `k${i}`,
    }));
    const started = performance.now();
    const matcher = createKnownMatcher(values);
    const buildMs = performance.now() - started;
    const plain = new RegExp(values.map((v) => v.value.replace(/[-_]/g, '\\$&')).join('|'), 'g');
    const formsMs = time(runs, () => matcher.find(text));
    const plainMs = time(runs, () => text.replace(plain, 'x'));
    rows.push({
      name: `${count} known values, every form (built in ${buildMs.toFixed(0)} ms)`,
      value: megabytes / (formsMs / 1000),
      unit: 'MB/s',
      baseline: megabytes / (plainMs / 1000),
      baselineName: 'plain values only, one regex',
    });
  }
  const redactor = createRedactor();
  const bare = time(runs, () => createRedactor().redact(text));
  redactor.addKnown(
    Array.from({ length: 20 }, () => ({ value: randomBytes(24).toString('base64'), kind: 'k' })),
  );
  const withKnown = time(runs, () => redactor.redact(text));
  rows.push({
    name: 'redactor with 20 known values',
    value: megabytes / (withKnown / 1000),
    unit: 'MB/s',
    baseline: megabytes / (bare / 1000),
    baselineName: 'redactor with none',
  });
  printTable(`known values in every form (${megabytes.toFixed(1)} MB of source text)`, rows);
}

function time(runs: number, work: () => unknown): number {
  const ms: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    work();
    ms.push(performance.now() - started);
  }
  return percentile(ms, 50);
}

function corpus(): string {
  const code = sourceFiles(join(import.meta.dirname, '..', 'src')).map((file) => readFileSync(file, 'utf8'));
  let text = '';
  for (let i = 0; text.length < CORPUS_BYTES; i++) text += `${code[i % code.length]}\n`;
  // Flat, as text read from a pipe or file is: a string built by `+=` is slower to scan.
  return Buffer.from(text).toString();
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}
