import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type AuditRecord, DIGEST_TYPE, OPENED_TYPE, RECOVERED_TYPE } from './record.ts';
import { createLocalSigner, type Signer } from './signer.ts';
import { verifyAuditLog } from './verify.ts';
import { openAuditLog } from './writer.ts';

let root: string;
let signer: Signer;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-audit-writer-'));
  signer = await createLocalSigner({ keyDir: join(root, 'keys') });
});
after(async () => rm(root, { recursive: true, force: true }));

async function readRecords(file: string): Promise<AuditRecord[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecord);
}

test('append, close and reopen continue one verified chain', async () => {
  const dir = join(root, 'roundtrip');
  const log = await openAuditLog({ dir, session: 's1', signer, digestEvery: 3 });
  const first = await log.append('tool.requested', { tool: 'shell', args: { command: 'ls' } });
  assert.equal(first.seq, 0);
  assert.equal(first.prev, '0'.repeat(64));
  for (let i = 0; i < 4; i++) await log.append('tool.finished', { i });
  await log.close();
  assert.deepEqual(await verifyAuditLog(log.file, { publicKey: signer.publicKey }), {
    ok: true,
    records: 7,
    digests: 2,
  });

  const again = await openAuditLog({ dir, session: 's1', signer, digestEvery: 3 });
  const next = await again.append('tool.requested', { tool: 'read_file' });
  await again.close();
  const records = await readRecords(log.file);
  const opened = records.find((r) => r.type === OPENED_TYPE);
  assert.ok(opened, 'a reopen is marked in the log');
  assert.equal(next.seq, (opened?.seq ?? 0) + 1);
  assert.equal(records.at(-1)?.type, DIGEST_TYPE);
  const result = await verifyAuditLog(log.file, { publicKey: signer.publicKey });
  assert.equal(result.ok, true);
});

test('a torn last line is cut off on reopen and the recovery recorded', async () => {
  const dir = join(root, 'torn');
  const log = await openAuditLog({ dir, session: 't', signer });
  await log.append('a', { n: 1 });
  await log.append('a', { n: 2 });
  // Simulate a crash: no close, and half a line written after the last record.
  const bytes = await readFile(log.file);
  await writeFile(log.file, Buffer.concat([bytes, Buffer.from('{"data":{"n":3},"ha')]));
  await rm(join(dir, 't.audit.lock'));
  const torn = await verifyAuditLog(log.file, { publicKey: signer.publicKey });
  assert.equal(torn.ok, false);
  assert.equal(!torn.ok && torn.firstBad.check, 'torn-tail');
  assert.equal(!torn.ok && torn.validBytes, bytes.length);
  assert.equal(!torn.ok && torn.records, 2);

  const reopened = await openAuditLog({ dir, session: 't', signer });
  await reopened.close();
  const records = await readRecords(log.file);
  const recovered = records.find((r) => r.type === RECOVERED_TYPE);
  assert.deepEqual(recovered?.data, { afterSeq: 1, droppedBytes: 19, closedCleanly: false });
  assert.equal((await verifyAuditLog(log.file, { publicKey: signer.publicKey })).ok, true);
});

test('a second writer is refused while the first holds the lock; a dead owner is taken over', async () => {
  const dir = join(root, 'lock');
  const log = await openAuditLog({ dir, session: 'l', signer });
  await assert.rejects(openAuditLog({ dir, session: 'l', signer }), { code: 'audit.locked' });
  await log.close();
  // A pid that cannot be alive: the kernel's pid_max is below 2^22.
  await writeFile(join(dir, 'l.audit.lock'), '4194303\n');
  const taken = await openAuditLog({ dir, session: 'l', signer });
  await taken.close();
});

test('every durability mode produces a verified log; fsync-each syncs once per record', async () => {
  for (const durability of ['fsync-each', 'group', 'none'] as const) {
    const log = await openAuditLog({
      dir: join(root, `mode-${durability}`),
      session: 'd',
      signer,
      durability,
    });
    await Promise.all(Array.from({ length: 20 }, (_, i) => log.append('x', { i })));
    const stats = log.stats();
    await log.close();
    if (durability === 'fsync-each') assert.equal(stats.syncs, 20);
    if (durability === 'none') assert.equal(stats.syncs, 0);
    assert.equal((await verifyAuditLog(log.file, { publicKey: signer.publicKey })).ok, true, durability);
  }
});

test('group commit: concurrent appends share writes and syncs, and each resolves only once synced', async () => {
  const log = await openAuditLog({ dir: join(root, 'group'), session: 'g', signer, durability: 'group' });
  const appends = Array.from({ length: 500 }, (_, i) =>
    log.append('x', { i }).then((record) => ({ record, syncsWhenResolved: log.stats().syncs })),
  );
  const done = await Promise.all(appends);
  const stats = log.stats();
  await log.close();
  assert.ok(stats.syncs < 100, `500 concurrent appends took ${stats.syncs} syncs`);
  assert.ok(stats.syncs >= 2);
  for (const { syncsWhenResolved } of done) assert.ok(syncsWhenResolved >= 1);
  assert.deepEqual(
    done.map((d) => d.record.seq),
    [...done.map((d) => d.record.seq)].sort((a, b) => a - b),
  );
  assert.equal((await verifyAuditLog(log.file, { publicKey: signer.publicKey })).ok, true);
});

test('append refuses reserved types, values JSON cannot hold, and a closed log', async () => {
  const log = await openAuditLog({ dir: join(root, 'refuse'), session: 'r', signer });
  await assert.rejects(log.append('audit.digest', {}), { code: 'audit.bad_type' });
  await assert.rejects(log.append('x', { n: Number.NaN }), { code: 'audit.not_json' });
  const ok = await log.append('x', { n: 1 });
  assert.equal(ok.seq, 0, 'a refused value does not consume a sequence number');
  await log.close();
  await assert.rejects(log.append('x', {}), { code: 'audit.closed' });
  await assert.rejects(openAuditLog({ dir: root, session: '../escape', signer }), {
    code: 'audit.bad_session',
  });
});
