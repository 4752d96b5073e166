import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readPublicKey } from './audit-logs.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-public-key-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('a verifying key is read as PEM, as DER, or as the base64 DER aws kms get-public-key prints', async () => {
  for (const { publicKey } of [
    generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    generateKeyPairSync('ed25519'),
  ]) {
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    for (const [name, content] of [
      ['key.pem', pem],
      ['key.der', der],
      ['key.b64', `${der.toString('base64')}\n`],
    ] as const) {
      await writeFile(join(dir, name), content);
      assert.ok(createPublicKey(await readPublicKey(join(dir, name))).equals(publicKey), name);
    }
  }
});

test('a key of a kind audit signatures never use, or no key at all, is one line saying so', async () => {
  await writeFile(
    join(dir, 'rsa.pem'),
    generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }),
  );
  await assert.rejects(readPublicKey(join(dir, 'rsa.pem')), {
    code: 'audit.key',
    message: /rsa\.pem is an RSA key: audit signatures are Ed25519 or ECDSA P-256/,
  });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
  await writeFile(join(dir, 'p384.pem'), p384.export({ type: 'spki', format: 'pem' }));
  await assert.rejects(readPublicKey(join(dir, 'p384.pem')), { message: /is an EC \(secp384r1\) key/ });
  await writeFile(join(dir, 'text'), 'hello\n');
  await assert.rejects(readPublicKey(join(dir, 'text')), { message: /is not a public key \(PEM, or DER/ });
});
