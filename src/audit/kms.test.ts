import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KMSClient } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { openAuditKeys } from './audit-keys.ts';
import type { KmsKeyConfig } from './kms-client.ts';
import { createKmsKeyWrapper } from './kms-key-wrapper.ts';
import { createKmsSigner } from './kms-signer.ts';
import { createLogDecryptor } from './log-decryptor.ts';
import { type AuditRecord, KEY_TYPE } from './record.ts';
import { keyIdOf, verifySignature } from './signature.ts';
import { type FakeKms, startFakeKms } from './testing/kms-server.ts';
import { verifyAuditLog } from './verify.ts';
import { openAuditLog } from './writer.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIAKMSTESTEXAMPLE01',
  secretAccessKey: 'kms-test-secret/abcdefghijklmnopqrstuv',
};

let kms: FakeKms;
let root: string;
let p256: string;
let ed25519: string;
let symmetric: string;

before(async () => {
  // The default credential chain, as in production: from the environment, never a file or the instance.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
  });
  kms = await startFakeKms({ credentials: CREDENTIALS });
  p256 = kms.createKey('ECC_NIST_P256', 'warden-audit');
  ed25519 = kms.createKey('ECC_NIST_EDWARDS25519');
  symmetric = kms.createKey('SYMMETRIC_DEFAULT', 'warden-data');
  root = await mkdtemp(join(tmpdir(), 'warden-kms-'));
});
after(async () => {
  await kms?.close();
  await rm(root, { recursive: true, force: true });
});

const key = (keyId: string): KmsKeyConfig => ({ keyId, region: kms.region, endpoint: kms.url });
const lines = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);

async function writeLog(session: string, keys: ReturnType<typeof openAuditKeys>) {
  const log = await openAuditLog({
    dir: root,
    session,
    signer: await keys.signer(),
    encryption: { wrapper: await keys.wrapper() },
    digestEvery: 4,
    durability: 'none',
  });
  for (let i = 0; i < 9; i++)
    await log.append(i % 2 ? 'tool.finished' : 'policy.decided', { i, secret: `code ${i}` });
  await log.close();
  return log.file;
}

test('a log signed by a KMS P-256 key (through its alias) verifies with the public key KMS hands out, and not with another', async () => {
  const keys = openAuditKeys(join(root, 'no-keys'), { signer: key('alias/warden-audit') });
  const signer = await keys.signer();
  const publicKey = createPublicKey({ key: kms.publicKeyDer(p256), format: 'der', type: 'spki' });
  assert.equal(signer.keyId, keyIdOf(publicKey));
  assert.match(signer.keyId, /^ecdsa-p256:/);
  const file = await writeLog(
    'p256',
    openAuditKeys(join(root, 'no-keys'), { signer: key('alias/warden-audit') }),
  );
  assert.deepEqual(await verifyAuditLog(file, { publicKey }), { ok: true, records: 13, digests: 3 });
  for (const other of [
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
    generateKeyPairSync('ed25519').publicKey,
  ]) {
    const result = await verifyAuditLog(file, { publicKey: other });
    assert.equal(result.ok === false && result.firstBad.check, 'digest-signature');
  }
  const signs = kms.calls.filter((call) => call.operation === 'Sign');
  assert.ok(
    signs.length >= 3 && signs.every((call) => call.authorized && call.keyId === p256),
    'signed by ARN, each request SigV4-checked',
  );
});

test('a KMS Ed25519 key signs digests; past 4 KB it refuses clearly, where P-256 signs the SHA-256 digest', async () => {
  const ed = await createKmsSigner(key(ed25519));
  assert.match(ed.keyId, /^ed25519:/);
  const small = Buffer.from('digest bytes');
  assert.ok(
    verifySignature(
      createPublicKey({ key: kms.publicKeyDer(ed25519), format: 'der', type: 'spki' }),
      small,
      await ed.sign(small),
    ),
  );
  const large = Buffer.alloc(10_000, 'r');
  await assert.rejects(ed.sign(large), { code: 'audit.kms', message: /at most 4096 bytes/ });

  const ecdsa = await createKmsSigner(key(p256));
  const publicKey = createPublicKey({ key: kms.publicKeyDer(p256), format: 'der', type: 'spki' });
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 4097, maxLength: 20_000 }), async (bytes) => {
      assert.ok(verifySignature(publicKey, bytes, await ecdsa.sign(Buffer.from(bytes))));
    }),
    { numRuns: 5 },
  );
  assert.ok(kms.calls.some((call) => call.operation === 'Sign' && call.keyId === p256));
});

test('payloads are sealed with KMS data keys bound to their log, and open only with that key and that log', async () => {
  const keys = openAuditKeys(join(root, 'no-keys'), {
    signer: key(p256),
    keyWrapper: key('alias/warden-data'),
  });
  const file = await writeLog('sealed', keys);
  const records = await lines(file);
  const keyRecord = records.find((r) => r.type === KEY_TYPE);
  assert.ok(keyRecord);
  assert.deepEqual(Object.keys(keyRecord.data as object).sort(), ['alg', 'ct', 'keyId']);
  assert.equal((keyRecord.data as { alg: string }).alg, 'aws-kms');
  assert.equal((keyRecord.data as { keyId: string }).keyId, symmetric, 'the record names the KMS key by ARN');
  assert.ok(!JSON.stringify(records).includes('code 3'), 'no sealed payload is readable in the file');
  const generated = kms.calls.filter((call) => call.operation === 'GenerateDataKey' && call.authorized);
  assert.deepEqual(generated.at(-1)?.encryptionContext, {
    'warden:record': 'audit.key',
    'warden:log': 'sealed',
  });

  const decryptor = createLogDecryptor(await keys.wrapper());
  const opened = [];
  for (const record of records) opened.push(await decryptor.open(record));
  assert.deepEqual(
    opened.filter((d) => (d as { secret?: string })?.secret === 'code 3'),
    [{ i: 3, secret: 'code 3' }],
  );

  // The same audit.key record moved into another log does not open there.
  const moved = createLogDecryptor(await keys.wrapper());
  await assert.rejects(moved.open({ ...keyRecord, session: 'other' }), {
    code: 'audit.unwrap_failed',
    message: /InvalidCiphertextException/,
  });
  // Another KMS key, pinned for Decrypt, is refused by KMS.
  const other = createKmsKeyWrapper(key(kms.createKey('SYMMETRIC_DEFAULT')));
  await assert.rejects(createLogDecryptor(other).open(keyRecord), {
    code: 'audit.unwrap_failed',
    message: /IncorrectKeyException/,
  });
});

test('wrong credentials, a key of the wrong kind, and a missing key are one clear line each', async () => {
  const client = (secretAccessKey: string, accessKeyId = CREDENTIALS.accessKeyId) =>
    new KMSClient({
      region: kms.region,
      endpoint: kms.url,
      credentials: { accessKeyId, secretAccessKey },
      maxAttempts: 1,
    });
  await assert.rejects(
    createKmsSigner(key(p256), client('not-the-secret')),
    (error: Error & { hint?: string }) => {
      assert.match(
        error.message,
        /^AWS KMS GetPublicKey with key .* failed: InvalidSignatureException: The request signature we calculated does not match/,
      );
      assert.match(error.hint ?? '', /AWS_ACCESS_KEY_ID/);
      return true;
    },
  );
  await assert.rejects(
    createKmsSigner(key(p256), client(CREDENTIALS.secretAccessKey, 'AKIAUNKNOWN000000000')),
    {
      code: 'audit.kms',
      message: /UnrecognizedClientException: The security token included in the request is invalid/,
    },
  );
  // Any other secret, however close, is refused by the recomputed signature.
  await fc.assert(
    fc.asyncProperty(
      fc.string({ minLength: 1, maxLength: 60 }).filter((secret) => secret !== CREDENTIALS.secretAccessKey),
      async (secret) => {
        await assert.rejects(createKmsSigner(key(p256), client(secret)), {
          message: /InvalidSignatureException/,
        });
      },
    ),
    {
      numRuns: 15,
      examples: [[`${CREDENTIALS.secretAccessKey.slice(0, -1)}w`], [`${CREDENTIALS.secretAccessKey} `]],
    },
  );
  await assert.rejects(createKmsSigner(key(symmetric)), {
    code: 'audit.kms',
    message: /UnsupportedOperationException/,
  });
  await assert.rejects(createKmsKeyWrapper(key(p256)).newDataKey('s'), {
    code: 'audit.kms',
    message: /InvalidKeyUsageException/,
  });
  await assert.rejects(createKmsSigner(key('alias/none')), {
    code: 'audit.kms',
    message: /NotFoundException/,
  });
  const refused = kms.calls.filter((call) => !call.authorized);
  assert.deepEqual(
    [...new Set(refused.map((call) => call.error))],
    ['InvalidSignatureException', 'UnrecognizedClientException'],
    'nothing else was refused for its signature',
  );
});

test('with both keys in KMS, preparing reaches KMS and no key file is written', async () => {
  const keyDir = join(root, 'kms-only');
  const keys = openAuditKeys(keyDir, { signer: key(p256), keyWrapper: key(symmetric) });
  await keys.prepare();
  assert.deepEqual(keys.localFiles, []);
  await assert.rejects(readFile(join(keyDir, 'audit-ed25519.pem')), { code: 'ENOENT' });
  assert.equal(keyIdOf(await keys.publicKey()), (await keys.signer()).keyId);
});
