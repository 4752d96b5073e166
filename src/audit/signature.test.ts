import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { keyIdOf, schemeOf, verifySignature } from './signature.ts';
import type { Signer } from './signer.ts';
import { verifyAuditLog } from './verify.ts';
import { openAuditLog } from './writer.ts';

const ed = generateKeyPairSync('ed25519');
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-audit-signature-'));
});
after(async () => rm(root, { recursive: true, force: true }));

test('the scheme and the key id come from the key: Ed25519 and P-256 are named, other keys are not', () => {
  assert.equal(schemeOf(ed.publicKey), 'ed25519');
  assert.equal(schemeOf(p256.publicKey), 'ecdsa-p256');
  assert.equal(schemeOf(p384.publicKey), undefined);
  assert.equal(schemeOf(rsa.publicKey), undefined);
  assert.match(keyIdOf(ed.publicKey), /^ed25519:[0-9a-f]{16}$/);
  assert.match(keyIdOf(p256.publicKey), /^ecdsa-p256:[0-9a-f]{16}$/);
  assert.match(keyIdOf(rsa.publicKey), /^unsupported-rsa:/);
});

test('an ECDSA P-256 signature (DER) verifies over its bytes and nothing else, and only under its key', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), (bytes, flip) => {
      const signature = sign('sha256', bytes, p256.privateKey);
      assert.ok(verifySignature(p256.publicKey, bytes, signature));
      assert.ok(!verifySignature(generateP256().publicKey, bytes, signature), 'another P-256 key');
      assert.ok(!verifySignature(ed.publicKey, bytes, signature), 'an Ed25519 key');
      if (bytes.length > 0) {
        const changed = Uint8Array.from(bytes);
        changed[flip % changed.length] = (changed[flip % changed.length] ?? 0) ^ 1;
        assert.ok(!verifySignature(p256.publicKey, changed, signature), 'changed bytes');
      }
    }),
    { numRuns: 40 },
  );
});

test('a key of another kind verifies nothing, even a signature it made', () => {
  const bytes = Buffer.from('digest');
  assert.equal(verifySignature(rsa.publicKey, bytes, sign('sha256', bytes, rsa.privateKey)), false);
  assert.equal(verifySignature(p384.publicKey, bytes, sign('sha256', bytes, p384.privateKey)), false);
  assert.equal(verifySignature(p256.publicKey, bytes, Buffer.from('not DER')), false);
});

test('a log signed with ECDSA P-256 verifies under its key, and not under an Ed25519 key or another P-256 key', async () => {
  const signer: Signer = {
    keyId: keyIdOf(p256.publicKey),
    publicKey: p256.publicKey,
    sign: async (bytes) => sign('sha256', bytes, p256.privateKey),
  };
  const log = await openAuditLog({ dir: root, session: 'p256', signer, digestEvery: 3, durability: 'none' });
  for (let i = 0; i < 10; i++) await log.append('tool.requested', { i });
  await log.close();
  const under = (publicKey: KeyObject) => verifyAuditLog(log.file, { publicKey });
  assert.deepEqual(await under(p256.publicKey), { ok: true, records: 14, digests: 4 });
  for (const other of [ed.publicKey, generateP256().publicKey]) {
    const result = await under(other);
    assert.equal(result.ok, false);
    assert.equal(result.ok === false && result.firstBad.check, 'digest-signature');
  }
});

function generateP256() {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}
