import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { WardenError } from '../errors.ts';
import { canonicalJson } from './canonical-json.ts';
import type { KeyWrapper, WrappedKey } from './key-wrapper.ts';

/** The stored `data` of an encrypted record. */
export type EncryptedPayload = { enc: 'aes-256-gcm'; iv: string; tag: string; ct: string };

/** The `data` of an `audit.key` record: the segment's data key, sealed by the master key. */
export type KeyRecordData = WrappedKey;

/**
 * Event types whose payload carries code, prompts or outputs. Everything else (policy decisions,
 * approvals, network requests, limits) stays readable by an auditor who holds no key.
 */
export const SENSITIVE_TYPES: ReadonlySet<string> = new Set([
  'session.started',
  'model.response',
  'tool.requested',
  'tool.finished',
  'file.changed',
  // Its detail is an excerpt of a file or of command output.
  'guard.flagged',
]);

export type AuditEncryption = { wrapper: KeyWrapper; types?: ReadonlySet<string> };

/** What the writer holds for one opened segment: the fresh data key and its sealed form. */
export type SegmentCipher = {
  keyRecord: KeyRecordData;
  sensitive(type: string): boolean;
  seal(data: unknown, aad: string): EncryptedPayload;
};

/** Binds a ciphertext to its place: moved to another record, it no longer opens. */
export function payloadAad(session: string, seq: number, type: string): string {
  return `${session}:${seq}:${type}`;
}

export async function openSegmentCipher(
  encryption: AuditEncryption,
  session: string,
): Promise<SegmentCipher> {
  const { dataKey, wrapped } = await encryption.wrapper.newDataKey(session);
  const types = encryption.types ?? SENSITIVE_TYPES;
  return {
    keyRecord: wrapped,
    sensitive: (type) => types.has(type),
    seal: (data, aad) => encryptPayload(dataKey, data, aad),
  };
}

export function encryptPayload(dataKey: Buffer, data: unknown, aad: string): EncryptedPayload {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(canonicalJson(data), 'utf8'), cipher.final()]);
  return {
    enc: 'aes-256-gcm',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ct: ct.toString('base64'),
  };
}

/** Throws `audit.decrypt_failed` when the tag does not match: a wrong key, an altered or moved ciphertext. */
export function decryptPayload(dataKey: Buffer, payload: EncryptedPayload, aad: string): unknown {
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(payload.iv, 'base64'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(payload.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(payload.ct, 'base64')), decipher.final()]);
    return JSON.parse(plain.toString('utf8'));
  } catch (error) {
    throw new WardenError(
      'audit.decrypt_failed',
      'the payload does not authenticate (GCM tag mismatch): wrong key, or the ciphertext was altered or moved',
      { where: aad, cause: error },
    );
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (value: unknown): value is string => typeof value === 'string' && BASE64.test(value);

export function asEncryptedPayload(value: unknown): EncryptedPayload | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const p = value as Record<string, unknown>;
  if (p.enc !== 'aes-256-gcm' || Object.keys(p).length !== 4) return undefined;
  return isBase64(p.iv) && isBase64(p.tag) && isBase64(p.ct) ? (p as EncryptedPayload) : undefined;
}

export function asKeyRecordData(value: unknown): KeyRecordData | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const k = value as Record<string, unknown>;
  if (typeof k.keyId !== 'string' || !isBase64(k.ct)) return undefined;
  const fields = Object.keys(k).length;
  if (k.alg === 'aws-kms') return fields === 3 ? (k as KeyRecordData) : undefined;
  if (k.alg !== 'aes-256-gcm' || fields !== 5) return undefined;
  return isBase64(k.iv) && isBase64(k.tag) ? (k as KeyRecordData) : undefined;
}
