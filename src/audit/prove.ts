import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { WardenError } from '../errors.ts';
import { merklePath, type PathStep, rootFromPath } from './merkle.ts';
import {
  type AuditRecord,
  asDigestData,
  asRecord,
  DIGEST_TYPE,
  digestSigningBytes,
  recordHash,
} from './record.ts';
import { keyIdOf, verifySignature } from './signature.ts';
import { toPublicKey } from './signer.ts';

/** Everything needed to show one record was in a signed log, without the rest of the log. */
export type InclusionProof = { record: AuditRecord; digest: AuditRecord; path: PathStep[] };

/** Builds the proof for `seq` against the first digest after it. */
export async function proveInclusion(file: string, seq: number): Promise<InclusionProof> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  let segment: AuditRecord[] = [];
  let target: AuditRecord | undefined;
  for (const [i, line] of lines.entries()) {
    if (line === '') continue;
    let record: AuditRecord | undefined;
    try {
      record = asRecord(JSON.parse(line));
    } catch {
      record = undefined;
    }
    if (record === undefined) {
      throw new WardenError('audit.corrupt', 'not an audit record', { where: `${file}:${i + 1}` });
    }
    if (record.type !== DIGEST_TYPE) {
      segment.push(record);
      if (record.seq === seq) target = record;
      continue;
    }
    if (target !== undefined) {
      const hashes = segment.map((r) => r.hash);
      return { record: target, digest: record, path: merklePath(hashes, segment.indexOf(target)) };
    }
    if (record.seq === seq) {
      throw new WardenError('audit.not_provable', `seq ${seq} is a digest, not a record a digest covers`);
    }
    segment = [];
  }
  throw new WardenError(
    'audit.not_provable',
    target === undefined ? `no record with seq ${seq}` : `seq ${seq} is not yet covered by a signed digest`,
    { where: file },
  );
}

/** True when the record hashes correctly and its path leads to the root of a digest the key signed. */
export function verifyInclusion(proof: InclusionProof, publicKey: KeyObject | string): boolean {
  const { record, digest, path } = proof;
  try {
    const key = toPublicKey(publicKey);
    const data = asDigestData(digest.data);
    if (data === undefined || digest.type !== DIGEST_TYPE || record.type === DIGEST_TYPE) return false;
    if (recordHash(record) !== record.hash || recordHash(digest) !== digest.hash) return false;
    if (record.session !== digest.session || record.seq > data.lastSeq) return false;
    if (data.session !== digest.session || data.time !== digest.time || data.lastSeq !== digest.seq - 1)
      return false;
    if (data.keyId !== keyIdOf(key)) return false;
    if (!verifySignature(key, digestSigningBytes(data), Buffer.from(data.signature, 'base64'))) return false;
    return rootFromPath(record.hash, path) === data.merkleRoot;
  } catch {
    return false;
  }
}
