import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openAuditLog } from '../audit/writer.ts';
import { finalAuditDigest, finalDigestOf } from './audit-digest.ts';
import { memorySigner } from './testing/receipt-fixture.ts';

let dir: string;
let file: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-audit-digest-'));
  const log = await openAuditLog({
    dir,
    session: 'sa',
    signer: memorySigner(),
    durability: 'none',
    digestEvery: 2,
  });
  for (let i = 0; i < 5; i++) await log.append('tool.finished', { i });
  await log.close();
  file = log.file;
});
after(() => rm(dir, { recursive: true, force: true }));

test('the final digest close() wrote is read from the log', async () => {
  const digest = await finalAuditDigest({ file, session: 'sa' });
  assert.equal(digest.final, true);
  assert.equal(digest.session, 'sa');
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  assert.equal(digest.lastSeq, lines.length - 2);
});

test('a log that does not end in its final digest is an error that says so', async () => {
  const bytes = await readFile(file);
  const lines = bytes.toString().split('\n');
  const cut = Buffer.from(`${lines.slice(0, -2).join('\n')}\n`);
  assert.throws(() => finalDigestOf(cut, 'x'), /does not end in its final signed digest/);
  assert.throws(() => finalDigestOf(bytes.subarray(0, -5), 'x'), /incomplete line/);
  assert.throws(() => finalDigestOf(Buffer.alloc(0), 'x'), /incomplete line|empty/);
  assert.throws(() => finalDigestOf(Buffer.from('{}\n'), 'x'), /not an audit record/);
  assert.throws(() => finalDigestOf(bytes, 'x', 'other'), /of session "sa", not "other"/);
  await assert.rejects(finalAuditDigest({ file: join(dir, 'none.jsonl') }), /does not exist/);
});
