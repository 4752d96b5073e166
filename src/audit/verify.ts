import { hash, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { merkleRoot } from './merkle.ts';
import { asKeyRecordData } from './payload-cipher.ts';
import {
  type AuditRecord,
  asDigestData,
  asRecord,
  DIGEST_TYPE,
  digestSigningBytes,
  KEY_TYPE,
  ZERO_HASH,
} from './record.ts';
import { keyIdOf, verifySignature } from './signature.ts';
import { toPublicKey } from './signer.ts';

export type VerifyCheck =
  | 'json'
  | 'hash'
  | 'chain'
  | 'seq'
  | 'digest-signature'
  | 'digest-merkle'
  | 'digest-chain'
  | 'torn-tail'
  | 'truncated'
  | 'missing-digest';

export type VerifyOptions = {
  publicKey: KeyObject | string;
  /** The first record's expected `prev`; default 64 zeros. */
  genesis?: string;
  /** Expected session id; by default taken from a `<session>.audit.jsonl` file name, else the first record's. */
  session?: string;
  /** When the writer's digest interval is known: more records than this without a digest is an error. */
  digestEvery?: number;
};

export type VerifyResult =
  | { ok: true; records: number; digests: number }
  | {
      ok: false;
      /** `line` is 1-based; for `torn-tail` and `truncated` it is the line after the last complete one. */
      firstBad: { seq?: number; line: number; check: VerifyCheck };
      message: string;
      /** Records before the first bad line, all of them intact. */
      records: number;
      /** Length in bytes of that valid prefix. */
      validBytes: number;
    };

type Failure = { check: VerifyCheck; message: string };

export async function verifyAuditLog(file: string, options: VerifyOptions): Promise<VerifyResult> {
  const named = /^(.+)\.audit\.jsonl$/.exec(basename(file))?.[1];
  return verifyAuditBytes(await readFile(file), { session: named, ...options });
}

/**
 * Checks a whole log: every line canonical and hashing to its `hash`, sequence numbers
 * consecutive from 0, each `prev` the previous hash, every digest signed by the known key
 * over the right Merkle root, and the log ending with the final digest close() writes.
 */
export function verifyAuditBytes(bytes: Buffer, options: VerifyOptions): VerifyResult {
  const key = toPublicKey(options.publicKey);
  const keyId = keyIdOf(key);
  let session = options.session;
  let prev = options.genesis ?? ZERO_HASH;
  let lastDigestHash = ZERO_HASH;
  let sinceDigest: string[] = [];
  let digests = 0;
  let endsClosed = false;
  let offset = 0;
  let line = 0;

  const fail = (f: Failure, seq?: number): VerifyResult => ({
    ok: false,
    firstBad: seq === undefined ? { line, check: f.check } : { seq, line, check: f.check },
    message: `line ${line}: ${f.message}`,
    records: line - 1,
    validBytes: offset,
  });

  while (offset < bytes.length) {
    line += 1;
    const newline = bytes.indexOf(0x0a, offset);
    if (newline === -1) {
      return fail({
        check: 'torn-tail',
        message: `the last ${bytes.length - offset} bytes are an incomplete write (no newline); the first ${offset} bytes are the valid prefix`,
      });
    }
    const lineBytes = bytes.subarray(offset, newline);
    const expectedSeq = line - 1;
    const parsed = parseRecord(lineBytes);
    if ('check' in parsed) return fail(parsed);
    const { record } = parsed;
    if (record.seq !== expectedSeq) {
      return fail(
        {
          check: 'seq',
          message: `expected seq ${expectedSeq}, found ${record.seq}: a record was removed, inserted, duplicated or moved`,
        },
        record.seq,
      );
    }
    if (record.prev !== prev) {
      return fail({ check: 'chain', message: "prev is not the previous record's hash" }, record.seq);
    }
    session ??= record.session;
    if (record.session !== session) {
      return fail(
        { check: 'chain', message: `record of session "${record.session}" in log of "${session}"` },
        record.seq,
      );
    }
    if (record.type === DIGEST_TYPE) {
      const bad = checkDigest(record, { key, keyId, lastDigestHash, sinceDigest });
      if (bad) return fail(bad, record.seq);
      digests += 1;
      lastDigestHash = record.hash;
      sinceDigest = [];
      endsClosed = (record.data as { final: boolean }).final;
    } else {
      if (record.type === KEY_TYPE && asKeyRecordData(record.data) === undefined) {
        return fail({ check: 'json', message: 'a malformed audit.key record' }, record.seq);
      }
      sinceDigest.push(record.hash);
      endsClosed = false;
      if (options.digestEvery !== undefined && sinceDigest.length > options.digestEvery) {
        return fail(
          {
            check: 'missing-digest',
            message: `more than ${options.digestEvery} records since the last digest`,
          },
          record.seq,
        );
      }
    }
    prev = record.hash;
    offset = newline + 1;
  }
  if (!endsClosed) {
    line += 1;
    return fail(
      {
        check: 'truncated',
        message:
          line === 1
            ? 'the log is empty'
            : `the log ends at seq ${line - 2} without the final signed digest: records were cut off, or the writer crashed`,
      },
      line - 1,
    );
  }
  return { ok: true, records: line, digests };
}

const HASH_MEMBER = Buffer.from(',"hash":"');
const PREV_MEMBER = Buffer.from('","prev":"');

function parseRecord(lineBytes: Buffer): { record: AuditRecord } | Failure {
  let value: unknown;
  try {
    value = JSON.parse(lineBytes.toString('utf8'));
  } catch {
    return { check: 'json', message: 'not valid JSON' };
  }
  const record = asRecord(value);
  if (record === undefined) return { check: 'json', message: 'not an audit record' };
  // The writer hashed the canonical line without its hash member, which sits between "data" and
  // "prev". Hashing these exact bytes, rather than re-encoding the parsed value, proves the line
  // is byte for byte what was written: any other spelling of the same value hashes differently.
  const at = lineBytes.lastIndexOf(HASH_MEMBER);
  const hashEnd = at + HASH_MEMBER.length + 64;
  if (
    at === -1 ||
    lineBytes.toString('latin1', at + HASH_MEMBER.length, hashEnd) !== record.hash ||
    !lineBytes.subarray(hashEnd, hashEnd + PREV_MEMBER.length).equals(PREV_MEMBER)
  ) {
    return { check: 'json', message: 'the line is not in canonical form' };
  }
  const digest = hash('sha256', Buffer.concat([lineBytes.subarray(0, at), lineBytes.subarray(hashEnd + 1)]));
  if (digest !== record.hash) {
    return { check: 'hash', message: `seq ${record.seq}: the record does not hash to its hash field` };
  }
  return { record };
}

function checkDigest(
  record: AuditRecord,
  state: { key: KeyObject; keyId: string; lastDigestHash: string; sinceDigest: string[] },
): Failure | undefined {
  const data = asDigestData(record.data);
  if (data === undefined) return { check: 'json', message: 'a malformed digest' };
  const signature = Buffer.from(data.signature, 'base64');
  if (data.keyId !== state.keyId || !verifySignature(state.key, digestSigningBytes(data), signature)) {
    return {
      check: 'digest-signature',
      message: `digest at seq ${record.seq} is not signed by the audit key`,
    };
  }
  if (data.prevDigestHash !== state.lastDigestHash) {
    return {
      check: 'digest-chain',
      message: `digest at seq ${record.seq} does not follow the previous digest`,
    };
  }
  if (data.session !== record.session || data.time !== record.time) {
    return {
      check: 'digest-signature',
      message: `digest at seq ${record.seq}: its time or session is not the signed one`,
    };
  }
  if (data.lastSeq !== record.seq - 1 || data.lastHash !== record.prev) {
    return {
      check: 'digest-merkle',
      message: `digest at seq ${record.seq} does not cover the record before it`,
    };
  }
  if (data.merkleRoot !== merkleRoot(state.sinceDigest)) {
    return {
      check: 'digest-merkle',
      message: `digest at seq ${record.seq}: the Merkle root does not match its records`,
    };
  }
  return undefined;
}
