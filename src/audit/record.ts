import { hash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

/** One line of `<session>.audit.jsonl`. */
export type AuditRecord = {
  seq: number;
  time: string;
  session: string;
  type: string;
  data: unknown;
  prev: string;
  hash: string;
};

/** The fields of an `audit.digest` record that the signature covers (all but `signature`). */
export type DigestBody = {
  /** The digest record's own session and time, so that no field of it is left unsigned. */
  session: string;
  time: string;
  lastSeq: number;
  lastHash: string;
  merkleRoot: string;
  prevDigestHash: string;
  keyId: string;
  /** True only for the digest written by close(): a log must end with one, or its tail was cut. */
  final: boolean;
};

export type DigestData = DigestBody & { signature: string };

export const DIGEST_TYPE = 'audit.digest';
export const RECOVERED_TYPE = 'audit.recovered';
export const OPENED_TYPE = 'audit.opened';
/** The segment's data key, sealed by the master key; written first in each opened segment. */
export const KEY_TYPE = 'audit.key';
export const ZERO_HASH = '0'.repeat(64);

const HEX64 = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: string | Uint8Array): string {
  return hash('sha256', bytes);
}

export function recordHash(fields: Omit<AuditRecord, 'hash'>): string {
  const { seq, time, session, type, data, prev } = fields;
  return sha256Hex(canonicalJson({ seq, time, session, type, data, prev }));
}

/** The stored line, without its newline. */
export function recordLine(record: AuditRecord): string {
  return canonicalJson(record);
}

export function isHash(value: unknown): value is string {
  return typeof value === 'string' && HEX64.test(value);
}

/** Checks the shape only; hashes and chain are the verifier's business. */
export function asRecord(value: unknown): AuditRecord | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  const keys = Object.keys(r);
  if (keys.length !== 7 || !('data' in r)) return undefined;
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 0) return undefined;
  if (typeof r.time !== 'string' || typeof r.session !== 'string' || typeof r.type !== 'string')
    return undefined;
  if (!isHash(r.prev) || !isHash(r.hash)) return undefined;
  return r as AuditRecord;
}

export function asDigestData(value: unknown): DigestData | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const d = value as Record<string, unknown>;
  if (!Number.isSafeInteger(d.lastSeq) || typeof d.session !== 'string' || typeof d.time !== 'string') {
    return undefined;
  }
  if (!isHash(d.lastHash) || !isHash(d.merkleRoot) || !isHash(d.prevDigestHash)) return undefined;
  if (typeof d.keyId !== 'string' || typeof d.signature !== 'string' || typeof d.final !== 'boolean') {
    return undefined;
  }
  return d as DigestData;
}

/** The exact bytes a digest signature is over. */
export function digestSigningBytes(data: DigestBody): Buffer {
  const { session, time, lastSeq, lastHash, merkleRoot, prevDigestHash, keyId, final } = data;
  return Buffer.from(
    canonicalJson({ session, time, lastSeq, lastHash, merkleRoot, prevDigestHash, keyId, final }),
  );
}
