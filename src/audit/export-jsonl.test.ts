import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WardenError } from '../errors.ts';
import { exportJsonl } from './export-jsonl.ts';
import { recordHash } from './record.ts';
import { createLocalSigner, type Signer } from './signer.ts';
import { openAuditLog } from './writer.ts';

let root: string;
let signer: Signer;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-audit-export-jsonl-'));
  signer = await createLocalSigner({ keyDir: join(root, 'keys') });
});
after(async () => rm(root, { recursive: true, force: true }));

async function makeLog(session: string): Promise<string> {
  const log = await openAuditLog({ dir: join(root, 'logs'), session, signer, digestEvery: 2 });
  await log.append('session.started', { task: 't', model: 'm', repo: '/r' });
  await log.append('tool.started', { callId: 'c1', tool: 'shell' });
  await log.append('tool.finished', { callId: 'c1', tool: 'shell', ok: true, output: 'x', durationMs: 1 });
  await log.append('secret.thing', { enc: { iv: 'aa', ct: 'bb', tag: 'cc' } });
  await log.close();
  return log.file;
}

async function collect(file: string, force?: boolean) {
  const lines: string[] = [];
  const result = await exportJsonl(file, (line) => void lines.push(line), {
    publicKey: signer.publicKey,
    force,
  });
  return { result, lines };
}

test('an intact log exports every stored record, unchanged, one per line, verified', async () => {
  const file = await makeLog('ok');
  const stored = (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');
  const { result, lines } = await collect(file);
  assert.deepEqual(result, { records: stored.length, verified: true, skippedLines: 0 });
  assert.equal(lines.length, stored.length);
  for (const [i, line] of lines.entries()) {
    assert.ok(line.endsWith('\n') && !line.slice(0, -1).includes('\n'));
    const { verified, ...record } = JSON.parse(line);
    assert.equal(verified, true);
    assert.deepEqual(record, JSON.parse(stored[i] ?? ''));
    // A SIEM can still recompute each record's hash.
    assert.equal(recordHash(record), record.hash);
  }
  const encrypted = lines.map((l) => JSON.parse(l)).find((r) => r.type === 'secret.thing');
  assert.deepEqual(encrypted.data, { enc: { iv: 'aa', ct: 'bb', tag: 'cc' } });
});

test('a tampered log is refused, and with force exported with the bad part marked unverified', async () => {
  const file = await makeLog('bad');
  const lines = (await readFile(file, 'utf8')).split('\n');
  const bad = lines.findIndex((l) => l.includes('"tool.started"'));
  assert.ok(bad > 0);
  lines[bad] = (lines[bad] ?? '').replace('"shell"', '"shelX"');
  await writeFile(file, lines.join('\n'));
  await assert.rejects(collect(file), (error: unknown) => {
    assert.ok(error instanceof WardenError);
    assert.equal(error.code, 'audit.broken');
    return true;
  });
  const { result, lines: out } = await collect(file, true);
  assert.equal(result.verified, false);
  const flags = out.map((l) => JSON.parse(l).verified);
  assert.equal(flags.length, lines.filter((l) => l !== '').length);
  assert.ok(flags.slice(0, bad).every((v) => v === true));
  assert.ok(flags.slice(bad).every((v) => v === false));
});

test('a log signed by another key is refused', async () => {
  const file = await makeLog('otherkey');
  const other = await createLocalSigner({ keyDir: join(root, 'other-keys') });
  await assert.rejects(
    exportJsonl(file, () => {}, { publicKey: other.publicKey }),
    (error: unknown) => error instanceof WardenError && error.code === 'audit.broken',
  );
});
