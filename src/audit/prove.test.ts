import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type InclusionProof, proveInclusion, verifyInclusion } from './prove.ts';
import { type DigestData, recordHash } from './record.ts';
import { keyIdOf, type Signer } from './signer.ts';
import { openAuditLog } from './writer.ts';

let root: string;
let file: string;
const keys = generateKeyPairSync('ed25519');
const signer: Signer = {
  keyId: keyIdOf(keys.publicKey),
  publicKey: keys.publicKey,
  sign: async (bytes) => sign(null, bytes, keys.privateKey),
};

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-audit-prove-'));
  const log = await openAuditLog({ dir: root, session: 'p', signer, digestEvery: 37, durability: 'none' });
  for (let i = 0; i < 90; i++) await log.append('tool.requested', { i });
  file = log.file;
  await log.append('tool.finished', { last: true });
  await log.close();
});
after(async () => rm(root, { recursive: true, force: true }));

const clone = (proof: InclusionProof): InclusionProof => structuredClone(proof);

test('a proof for any covered record verifies against its signed digest alone', async () => {
  // 0..36 covered by the digest at 37, 38..74 by 75, the rest by the final digest.
  for (const seq of [0, 1, 36, 38, 74, 76, 91]) {
    const proof = await proveInclusion(file, seq);
    assert.equal(proof.record.seq, seq);
    assert.ok(verifyInclusion(proof, keys.publicKey), `seq ${seq}`);
  }
});

test('a proof fails when the record, any path hash, or the digest is changed', async () => {
  const proof = await proveInclusion(file, 20);
  assert.ok(proof.path.length >= 5);

  const edited = clone(proof);
  edited.record.data = { i: 21 };
  assert.equal(verifyInclusion(edited, keys.publicKey), false, 'edited record');
  edited.record.hash = recordHash(edited.record);
  assert.equal(verifyInclusion(edited, keys.publicKey), false, 'edited record with its hash recomputed');

  for (let i = 0; i < proof.path.length; i++) {
    const bad = clone(proof);
    const step = bad.path[i] as { hash: string };
    step.hash = `${step.hash[0] === 'a' ? 'b' : 'a'}${step.hash.slice(1)}`;
    assert.equal(verifyInclusion(bad, keys.publicKey), false, `path step ${i}`);
    const flipped = clone(proof);
    const flip = flipped.path[i] as { side: 'left' | 'right' };
    flip.side = flip.side === 'left' ? 'right' : 'left';
    assert.equal(verifyInclusion(flipped, keys.publicKey), false, `side of step ${i}`);
  }
  const shortened = clone(proof);
  shortened.path.pop();
  assert.equal(verifyInclusion(shortened, keys.publicKey), false, 'shortened path');

  const forged = clone(proof);
  (forged.digest.data as DigestData).merkleRoot = 'c'.repeat(64);
  forged.digest.hash = recordHash(forged.digest);
  assert.equal(verifyInclusion(forged, keys.publicKey), false, 'digest root changed');
  const other = generateKeyPairSync('ed25519');
  assert.equal(verifyInclusion(proof, other.publicKey), false, 'another key');
});

test('a digest cannot be proved, nor a record no digest covers yet', async () => {
  await assert.rejects(proveInclusion(file, 37), { code: 'audit.not_provable' });
  await assert.rejects(proveInclusion(file, 500), { code: 'audit.not_provable' });
});
