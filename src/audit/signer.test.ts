import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createLocalSigner, keyIdOf, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE } from './signer.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-audit-signer-'));
});
after(async () => rm(root, { recursive: true, force: true }));

test('the key is created on first use with mode 0600 in a 0700 directory, and reused after', async () => {
  const keyDir = join(root, 'keys');
  const signer = await createLocalSigner({ keyDir });
  assert.equal((await stat(join(keyDir, PRIVATE_KEY_FILE))).mode & 0o777, 0o600);
  assert.equal((await stat(keyDir)).mode & 0o777, 0o700);
  const publicPem = await readFile(join(keyDir, PUBLIC_KEY_FILE), 'utf8');
  assert.equal(keyIdOf(publicPem), signer.keyId);

  const message = Buffer.from('digest bytes');
  const signature = await signer.sign(message);
  assert.ok(verify(null, message, publicPem, signature));
  const again = await createLocalSigner({ keyDir });
  assert.equal(again.keyId, signer.keyId, 'the same key is loaded, not a new one made');
});

test('a key file readable by group or others is refused', async () => {
  const keyDir = join(root, 'loose');
  await createLocalSigner({ keyDir });
  await chmod(join(keyDir, PRIVATE_KEY_FILE), 0o644);
  await assert.rejects(createLocalSigner({ keyDir }), { code: 'audit.key_permissions' });
  await chmod(join(keyDir, PRIVATE_KEY_FILE), 0o640);
  await assert.rejects(createLocalSigner({ keyDir }), { code: 'audit.key_permissions' });
});

test('a key file that is not an Ed25519 key is refused', async () => {
  const keyDir = join(root, 'garbage');
  await createLocalSigner({ keyDir });
  await writeFile(join(keyDir, PRIVATE_KEY_FILE), 'not a key', { mode: 0o600 });
  await assert.rejects(createLocalSigner({ keyDir }));
});
