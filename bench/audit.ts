import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLocalSigner,
  DIGEST_TYPE,
  type Durability,
  openAuditLog,
  proveInclusion,
  type Signer,
  verifyAuditBytes,
  verifyInclusion,
} from '../src/audit/index.ts';
import { percentile, printTable } from './stats.ts';

const APPENDERS = 8;
/** Per durable-append measurement; six of them keep the audit bench near 20 s on a slow disk. */
const WINDOW_MS = 2_000;
const PAYLOAD = { callId: 'call_0123456789', tool: 'shell', args: { command: 'npm test -- --runInBand' } };

/** Appends from APPENDERS concurrent callers for WINDOW_MS; returns records/s and the log's lines. */
async function auditAppends(dir: string, signer: Signer, durability: Durability) {
  const log = await openAuditLog({ dir, session: `bench-${durability}`, signer, durability });
  const deadline = performance.now() + WINDOW_MS;
  const started = performance.now();
  let count = 0;
  await Promise.all(
    Array.from({ length: APPENDERS }, async () => {
      while (performance.now() < deadline) {
        await log.append('tool.requested', PAYLOAD);
        count += 1;
      }
    }),
  );
  const perSecond = count / ((performance.now() - started) / 1000);
  await log.close();
  const lines = (await readFile(log.file, 'utf8')).split('\n').filter((l) => l !== '');
  return { perSecond, lines: lines.map((l) => Buffer.from(`${l}\n`)) };
}

/** The same bytes appended raw for WINDOW_MS, one fdatasync per `batch` lines. */
async function rawAppends(file: string, lines: Buffer[], batch: number): Promise<number> {
  const handle = await open(file, 'a', 0o600);
  try {
    const deadline = performance.now() + WINDOW_MS;
    const started = performance.now();
    let count = 0;
    while (performance.now() < deadline) {
      const chunk = Array.from(
        { length: batch },
        (_, i) => lines[(count + i) % lines.length] ?? Buffer.alloc(0),
      );
      await handle.write(Buffer.concat(chunk));
      await handle.datasync();
      count += batch;
    }
    return count / ((performance.now() - started) / 1000);
  } finally {
    await handle.close();
  }
}

function median(run: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  return percentile(times, 50);
}

export async function benchAudit(runs: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-bench-audit-'));
  try {
    const signer = await createLocalSigner({ keyDir: join(dir, 'keys') });

    // Durable appends: the audit log's own modes against raw appends of the bytes it wrote.
    const group = await auditAppends(join(dir, 'group'), signer, 'group');
    const each = await auditAppends(join(dir, 'each'), signer, 'fsync-each');
    const rawEach = await rawAppends(join(dir, 'raw-each.jsonl'), group.lines, 1);
    const rawBatch = await rawAppends(join(dir, 'raw-batch.jsonl'), group.lines, APPENDERS);
    printTable(
      `audit durable appends (records/s, ${APPENDERS} concurrent appenders, ${WINDOW_MS / 1000} s each)`,
      [
        {
          name: "openAuditLog 'group'",
          value: group.perSecond,
          unit: '/s',
          baseline: rawEach,
          baselineName: 'raw write+fdatasync each',
        },
        {
          name: "openAuditLog 'group'",
          value: group.perSecond,
          unit: '/s',
          baseline: rawBatch,
          baselineName: `raw, 1 fdatasync per ${APPENDERS}`,
        },
        {
          name: "openAuditLog 'fsync-each'",
          value: each.perSecond,
          unit: '/s',
          baseline: rawEach,
          baselineName: 'raw write+fdatasync each',
        },
      ],
    );

    // Verify throughput on a ~20 MB log, bytes already in memory, against SHA-256 over the same bytes.
    const big = await openAuditLog({ dir: join(dir, 'big'), session: 'big', signer, durability: 'none' });
    const filler = 'x'.repeat(900);
    for (let i = 0; i < 16_500; i++) {
      await big.append('tool.finished', { callId: `c${i}`, tool: 'shell', ok: true, output: filler });
    }
    await big.close();
    const bytes = await readFile(big.file);
    const mb = bytes.length / 1e6;
    const verifyMs = median(
      () => {
        if (!verifyAuditBytes(bytes, { publicKey: signer.publicKey }).ok)
          throw new Error('bench log does not verify');
      },
      Math.min(runs, 5),
    );
    const shaMs = median(() => createHash('sha256').update(bytes).digest(), Math.min(runs, 5));
    printTable(`audit verify throughput (MB/s over a ${mb.toFixed(1)} MB log, median)`, [
      {
        name: 'verifyAuditBytes',
        value: mb / (verifyMs / 1000),
        unit: 'MB/s',
        baseline: mb / (shaMs / 1000),
        baselineName: 'raw SHA-256',
      },
    ]);

    // One inclusion proof on a session-sized log (1,000 records): built from the file, then checked.
    const session = await openAuditLog({
      dir: join(dir, 'proofs'),
      session: 'proofs',
      signer,
      durability: 'none',
    });
    for (let i = 0; i < 1_000; i++) await session.append('tool.requested', PAYLOAD);
    await session.close();
    const provable = (await readFile(session.file, 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { seq: number; type: string })
      .filter((r) => r.type !== DIGEST_TYPE)
      .map((r) => r.seq);
    const samples = Math.max(50, runs * 20);
    const proofMs: number[] = [];
    const readMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      let t = performance.now();
      await readFile(session.file);
      readMs.push(performance.now() - t);
      t = performance.now();
      const proof = await proveInclusion(session.file, provable[(i * 37) % provable.length] ?? 0);
      if (!verifyInclusion(proof, signer.publicKey)) throw new Error('bench proof does not verify');
      proofMs.push(performance.now() - t);
    }
    printTable(
      `audit inclusion proof (ms, proveInclusion + verifyInclusion, ${samples} proofs, 1,000-record log)`,
      [
        {
          name: 'p50',
          value: percentile(proofMs, 50),
          unit: 'ms',
          baseline: percentile(readMs, 50),
          baselineName: 'readFile of the log',
        },
        {
          name: 'p99',
          value: percentile(proofMs, 99),
          unit: 'ms',
          baseline: percentile(readMs, 99),
          baselineName: 'readFile of the log',
        },
      ],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
