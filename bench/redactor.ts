import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createRedactor } from '../src/guard/redactor.ts';
import { SECRET_RULES } from '../src/guard/secret-rules/index.ts';
import { CONTEXTS, type Context, isRealistic, sampleArbitrary, textOf } from '../test/secret-samples.ts';
import { percentile, printTable } from './stats.ts';

/** About the size of a long session's tool output; big enough that secretlint's start-up is small. */
const CORPUS_BYTES = 8 * 1024 * 1024;
const SECRETLINT = join(import.meta.dirname, '..', 'node_modules', 'secretlint', 'bin', 'secretlint.js');
const SECRETLINT_CONFIG = JSON.stringify({
  rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }],
});

/** Secrets of the kinds both tools know, planted about once every 40 KB as real output would carry them. */
const SHARED_KINDS = [
  'AWS_ACCESS_KEY_ID=AKIAQWERTYUIOPASDFGH',
  'remote: https://x-access-token:ghp_R4nd0mT0kenValue0123456789abcdefABCD@github.com/acme/app.git',
  'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  'DATABASE_URL=postgres://app:s3cretPassw0rd@db.internal:5432/app',
  'SLACK_TOKEN=xoxb-1234567890-abcdefghijklmnop',
];

/** Kinds the old rule set did not know, generated (fixed seed) from their rules' documented formats. */
const NEW_KINDS = [
  'aws-bedrock-api-key',
  'huggingface-token',
  'slack-webhook',
  'databricks-token',
  'sendgrid-api-key',
  'shopify-access-token',
  'pypi-token',
  'dockerhub-pat',
  'vault-service-token',
  'azure-storage-account-key',
  'twilio-auth-token',
  'datadog-api-key',
];

function newKindSamples(): Array<{ line: string; secret: string }> {
  return NEW_KINDS.map((id, n) => {
    const rule = SECRET_RULES.find((r) => r.id === id);
    if (!rule) throw new Error(`bench: no secret rule ${id}`);
    const [sample] = fc.sample(
      sampleArbitrary(rule).filter((s) => isRealistic(rule, s)),
      { seed: 42 + n, numRuns: 1 },
    );
    if (!sample) throw new Error(`bench: no sample for ${id}`);
    const context = CONTEXTS[n % 2] as Context; // env lines and shell exports
    return { line: textOf(context.place(sample.name, sample)).trim(), secret: sample.secret };
  });
}

const NEW_SAMPLES = newKindSamples();
const PLANTED = [...SHARED_KINDS, ...NEW_SAMPLES.map((s) => s.line)];

/**
 * What an agent's tools print, in proportions a coding session produces: source files read and
 * diffed (this repository's own code), test runner output, grep matches and install logs.
 */
function corpus(): string {
  const code = sourceFiles(join(import.meta.dirname, '..', 'src')).map((file) => readFileSync(file, 'utf8'));
  const parts: string[] = [];
  let size = 0;
  let i = 0;
  while (size < CORPUS_BYTES) {
    const source = code[i % code.length] ?? '';
    const lines = source.split('\n');
    const chunk = [
      source,
      lines.map((line, n) => `src/module${i}.ts:${n + 1}:${line}`).join('\n'),
      lines.map((line) => `+${line}`).join('\n'),
      `✔ module ${i} handles the empty case (${(i % 17) + 0.5}ms)\n✖ module ${i} rejects bad input\n  AssertionError: expected 2 to equal 3`,
      `npm http fetch GET 200 https://registry.npmjs.org/pkg-${i} ${i % 90}ms (cache revalidated)`,
      i % 8 === 0 ? PLANTED[(i / 8) % PLANTED.length] : '',
    ].join('\n');
    parts.push(chunk);
    size += Buffer.byteLength(chunk);
    i++;
  }
  return parts.join('\n');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

function secretlint(file: string): Promise<{ ms: number; findings: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        SECRETLINT,
        '--format',
        'json',
        '--secretlintrcJSON',
        SECRETLINT_CONFIG,
        '--no-glob',
        '--no-gitignore',
        file,
      ],
      { maxBuffer: 256 * 1024 * 1024 },
      (error, stdout) => {
        const ms = performance.now() - started;
        // secretlint exits 1 when it found something; that is the expected case here.
        if (error && error.code !== 1) return reject(error);
        const results = JSON.parse(stdout) as Array<{ messages: unknown[] }>;
        resolve({ ms, findings: results.reduce((n, r) => n + r.messages.length, 0) });
      },
    );
  });
}

export async function benchRedactor(runs: number): Promise<void> {
  const text = corpus();
  const megabytes = Buffer.byteLength(text) / 1024 / 1024;
  const dir = await mkdtemp(join(tmpdir(), 'warden-bench-redactor-'));
  try {
    const file = join(dir, 'tool-output.txt');
    const empty = join(dir, 'empty.txt');
    await writeFile(file, text);
    await writeFile(empty, '');

    const redactorMs: number[] = [];
    let replaced: string[] = [];
    let out = '';
    // Untimed passes first: a session redacts many texts, so its patterns and code are compiled.
    for (let warm = 0; warm < 3; warm++) createRedactor().redact(text);
    for (let run = 0; run < runs; run++) {
      // A fresh redactor per run, as each session has its own.
      const redactor = createRedactor();
      const started = performance.now();
      out = redactor.redact(text);
      redactorMs.push(performance.now() - started);
      replaced = out.match(/«secret:[a-z0-9-]+#\d+»/g) ?? [];
    }
    const lintMs: number[] = [];
    const startupMs: number[] = [];
    let findings = 0;
    for (let run = 0; run < Math.min(runs, 5); run++) {
      const result = await secretlint(file);
      lintMs.push(result.ms);
      findings = result.findings;
      startupMs.push((await secretlint(empty)).ms);
    }

    const redactorRate = megabytes / (percentile(redactorMs, 50) / 1000);
    const lintRate = megabytes / (percentile(lintMs, 50) / 1000);
    const scanOnly = percentile(lintMs, 50) - percentile(startupMs, 50);
    const lintScanRate = megabytes / (Math.max(scanOnly, 1) / 1000);
    const hidden = NEW_SAMPLES.filter((s) => !out.includes(s.secret)).length;
    console.log(
      `\nredactor, ${SECRET_RULES.length} rules (${megabytes.toFixed(1)} MB of mixed tool output: ${replaced.length} secrets` +
        ` (${new Set(replaced).size} distinct) replaced, ${hidden} of ${NEW_SAMPLES.length} planted new kinds hidden;` +
        ` secretlint's recommended preset reported ${findings} findings)`,
    );
    printTable('', [
      {
        name: 'redactor throughput',
        value: redactorRate,
        unit: 'MB/s',
        baseline: lintRate,
        baselineName: 'secretlint CLI',
      },
      {
        name: 'redactor throughput',
        value: redactorRate,
        unit: 'MB/s',
        baseline: lintScanRate,
        baselineName: 'secretlint CLI less its start-up',
      },
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
