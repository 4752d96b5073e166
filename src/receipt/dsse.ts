import type { KeyObject } from 'node:crypto';
import { verifySignature } from '../audit/signature.ts';
import type { Signer } from '../audit/signer.ts';
import { keyIdOf } from '../audit/signer.ts';

/** in-toto's payload type for a Statement carried in DSSE. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export type DsseSignature = { keyid: string; sig: string };
export type DsseEnvelope = { payloadType: string; payload: string; signatures: DsseSignature[] };

/**
 * DSSE's pre-authentication encoding: `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN the
 * byte length in ASCII decimal. The signature is over these bytes, so neither the type nor the
 * payload can be swapped for another.
 */
export function pae(payloadType: string, payload: Uint8Array): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}

/** An envelope with one signature by `signer`: only `sign`, `keyId` and `publicKey` are used (a KMS fits). */
export async function signEnvelope(
  payloadType: string,
  payload: Uint8Array,
  signer: Signer,
): Promise<DsseEnvelope> {
  const sig = await signer.sign(pae(payloadType, payload));
  return {
    payloadType,
    payload: Buffer.from(payload).toString('base64'),
    signatures: [{ keyid: signer.keyId, sig: sig.toString('base64') }],
  };
}

export type EnvelopeShape =
  | { ok: true; envelope: DsseEnvelope; payload: Buffer }
  | { ok: false; problem: string };

/**
 * Checks an untrusted value is a DSSE envelope. The payload must be standard base64 in its one
 * canonical spelling, so that an envelope cannot be changed in form and still pass as the same.
 */
export function readEnvelope(value: unknown): EnvelopeShape {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'not a JSON object' };
  }
  const e = value as Record<string, unknown>;
  if (typeof e.payloadType !== 'string') return { ok: false, problem: 'payloadType is not a string' };
  if (typeof e.payload !== 'string') return { ok: false, problem: 'payload is not a string' };
  const payload = Buffer.from(e.payload, 'base64');
  if (payload.toString('base64') !== e.payload) {
    return { ok: false, problem: 'payload is not canonical base64' };
  }
  if (!Array.isArray(e.signatures) || e.signatures.length === 0) {
    return { ok: false, problem: 'signatures is not a non-empty list' };
  }
  const signatures: DsseSignature[] = [];
  for (const [i, s] of e.signatures.entries()) {
    const entry = s as Record<string, unknown> | null;
    if (typeof entry !== 'object' || entry === null || typeof entry.sig !== 'string') {
      return { ok: false, problem: `signatures[${i}] has no sig` };
    }
    if (typeof entry.keyid !== 'string') return { ok: false, problem: `signatures[${i}] has no keyid` };
    signatures.push({ keyid: entry.keyid, sig: entry.sig });
  }
  return { ok: true, envelope: { payloadType: e.payloadType, payload: e.payload, signatures }, payload };
}

/**
 * The trusted key that signed the envelope, or undefined. A signature counts only when its keyid is
 * the id of the key it verifies under: a receipt cannot claim one signer and be signed by another.
 */
export function envelopeSigner(
  envelope: DsseEnvelope,
  payload: Buffer,
  trusted: readonly KeyObject[],
): { key: KeyObject; keyId: string } | undefined {
  const signed = pae(envelope.payloadType, payload);
  for (const { keyid, sig } of envelope.signatures) {
    const key = trusted.find((k) => keyIdOf(k) === keyid);
    if (key === undefined) continue;
    const bytes = Buffer.from(sig, 'base64');
    if (bytes.toString('base64') !== sig) continue;
    if (verifySignature(key, signed, bytes)) return { key, keyId: keyid };
  }
  return undefined;
}
