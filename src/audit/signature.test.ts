import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { keyIdOf, lowS, schemeOf, verifySignature } from './signature.ts';
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

/** A P-256 signature in its canonical (low-s) form, as Warden's signers make it. */
function signP256(bytes: Uint8Array): Buffer {
  return lowS(sign('sha256', bytes, p256.privateKey)) as Buffer;
}

/** The other valid ECDSA signature of the same (r, s): (r, n−s), in DER. */
function twin(der: Buffer): Buffer {
  const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const rLength = der[3] as number;
  const r = der.subarray(4, 4 + rLength);
  const s = BigInt(`0x${der.subarray(6 + rLength).toString('hex')}`);
  let hex = (n - s).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let high = Buffer.from(hex, 'hex');
  if ((high[0] ?? 0) & 0x80) high = Buffer.concat([Buffer.from([0]), high]);
  const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, high.length]), high]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

test('an ECDSA P-256 signature (DER) verifies over its bytes and nothing else, and only under its key', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), (bytes, flip) => {
      const signature = signP256(bytes);
      assert.ok(verifySignature(p256.publicKey, bytes, signature));
      // Its twin (r, n−s) is valid ECDSA too, and refused: one signature per message.
      const high = twin(signature);
      assert.ok(!verifySignature(p256.publicKey, bytes, high), 'the high-s twin');
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
    sign: async (bytes) => signP256(bytes),
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
