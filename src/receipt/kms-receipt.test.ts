import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { after, before, test } from 'node:test';
import { KMSClient } from '@aws-sdk/client-kms';
import { createKmsSigner } from '../audit/kms-signer.ts';
import { type FakeKms, startFakeKms } from '../audit/testing/kms-server.ts';
import { receiptFixture } from './testing/receipt-fixture.ts';
import { verifyReceipt } from './verify.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIAKMSRECEIPTEXAMPL',
  secretAccessKey: 'kms-receipt-secret/abcdefghijklmnop',
};

let kms: FakeKms;
let p256: string;
before(async () => {
  kms = await startFakeKms({ credentials: CREDENTIALS });
  p256 = kms.createKey('ECC_NIST_P256');
});
after(() => kms?.close());

test('a receipt signed by the KMS key verifies, log and all, with its public key, and not with another', async () => {
  const signer = await createKmsSigner(
    { keyId: p256, region: kms.region, endpoint: kms.url },
    new KMSClient({ region: kms.region, endpoint: kms.url, credentials: CREDENTIALS }),
  );
  const f = await receiptFixture('skms-receipt', signer);
  try {
    const publicKey = createPublicKey({ key: kms.publicKeyDer(p256), format: 'der', type: 'spki' });
    const result = await verifyReceipt(f.envelope, {
      publicKeys: [publicKey],
      repo: f.repo,
      auditLog: f.auditFile,
    });
    assert.deepEqual(
      result.checks.filter((check) => !check.ok),
      [],
    );
    const other = await verifyReceipt(f.envelope, {
      publicKeys: [generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey],
      repo: f.repo,
      auditLog: f.auditFile,
    });
    assert.ok(other.checks.some((check) => check.name === 'signature' && !check.ok));
  } finally {
    await f.cleanup();
  }
});
