import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { test } from 'node:test';
import sigstore from '@sigstore/core';
import fc from 'fast-check';
import { toPublicKey } from '../audit/signer.ts';
import { envelopeSigner, pae, readEnvelope, signEnvelope } from './dsse.ts';
import { memorySigner } from './testing/receipt-fixture.ts';

// CommonJS: its exports are on the default import.
const { preAuthEncoding } = sigstore.dsse;

test("the pre-authentication encoding is byte for byte sigstore's, for any type and payload", () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 300 }), (type, bytes) => {
      const payload = Buffer.from(bytes);
      assert.deepEqual(pae(type, payload), preAuthEncoding(type, payload));
    }),
  );
});

test('the spec example: DSSEv1 with byte lengths in decimal', () => {
  assert.equal(
    pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString(),
    'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
  );
});

test('an envelope verifies with node:crypto alone over the PAE, as any DSSE verifier would check it', async () => {
  const signer = memorySigner();
  const payload = Buffer.from('{"a":"ü"}');
  const envelope = await signEnvelope('application/vnd.in-toto+json', payload, signer);
  assert.equal(envelope.signatures[0]?.keyid, signer.keyId);
  const signed = preAuthEncoding(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  const key = toPublicKey(signer.publicKey);
  assert.ok(verify(null, signed, key, Buffer.from(envelope.signatures[0]?.sig ?? '', 'base64')));
  const read = readEnvelope(JSON.parse(JSON.stringify(envelope)));
  assert.ok(read.ok);
  assert.ok(envelopeSigner(read.envelope, read.payload, [key]));
});

test('a signature counts only under the key its keyid names', async () => {
  const signer = memorySigner();
  const other = memorySigner();
  const envelope = await signEnvelope('t', Buffer.from('x'), signer);
  const read = readEnvelope({
    ...envelope,
    signatures: [{ keyid: other.keyId, sig: envelope.signatures[0]?.sig }],
  });
  assert.ok(read.ok);
  const keys = [signer.publicKey, other.publicKey].map(toPublicKey);
  assert.equal(envelopeSigner(read.envelope, read.payload, keys), undefined);
});

test('malformed envelopes are named, not thrown', () => {
  for (const [value, problem] of [
    [null, /not a JSON object/],
    [[], /not a JSON object/],
    [{ payloadType: 1 }, /payloadType/],
    [{ payloadType: 't', payload: 'eA' }, /canonical base64/],
    [{ payloadType: 't', payload: 'eA==', signatures: [] }, /signatures/],
    [{ payloadType: 't', payload: 'eA==', signatures: [{ sig: 'x' }] }, /keyid/],
    [{ payloadType: 't', payload: 'eA==', signatures: [null] }, /sig/],
  ] as const) {
    const read = readEnvelope(value);
    assert.equal(read.ok, false);
    if (!read.ok) assert.match(read.problem, problem);
  }
});
