import { WardenError } from '../errors.ts';
import { canonicalJson } from './canonical-json.ts';
import { createLogDecryptor } from './log-decryptor.ts';
import { merkleRoot } from './merkle.ts';
import { type AuditEncryption, openSegmentCipher, payloadAad } from './payload-cipher.ts';
import {
  type AuditRecord,
  DIGEST_TYPE,
  type DigestBody,
  digestSigningBytes,
  isHash,
  KEY_TYPE,
  OPENED_TYPE,
  RECOVERED_TYPE,
  recordHash,
  recordLine,
  ZERO_HASH,
} from './record.ts';
import type { Signer } from './signer.ts';
import { type AuditStorage, fileStorage, type OpenAuditStorage, type StoredLine } from './storage.ts';
import { readLogTail } from './tail.ts';

export { auditLogPath } from './storage.ts';

/**
 * - `fsync-each`: one write and one fdatasync per record.
 * - `group`: records that arrive while a sync is in flight share the next write and sync.
 * - `none`: written to the OS at once, synced only at close; a power cut may lose the tail.
 * In the first two, append() resolves only once its record is on disk.
 */
export type Durability = 'fsync-each' | 'group' | 'none';

export type AuditLogOptions = {
  dir: string;
  session: string;
  signer: Signer;
  /** Records between signed digests; default 100. */
  digestEvery?: number;
  durability?: Durability;
  /** The first record's `prev`; default 64 zeros. */
  genesis?: string;
  now?: () => Date;
  /** Encrypts sensitive payloads with a fresh data key per opened segment; the chain covers the ciphertext. */
  encryption?: AuditEncryption;
  /** Where the log is kept; default the file `<dir>/<session>.audit.jsonl`. */
  storage?: OpenAuditStorage;
};

export type AuditLogStats = { writes: number; syncs: number };

export type AuditLog = {
  /** The log's file, or its place in the database. */
  file: string;
  /**
   * The last record a caller wrote before this open (not the log's own `audit.*` records), its
   * payload opened when encryption is on: where a writer that crashed had got to.
   */
  previous: { type: string; data: unknown } | undefined;
  append(type: string, data: unknown): Promise<AuditRecord>;
  /** Writes the final signed digest, syncs, and releases the lock. */
  close(): Promise<void>;
  stats(): AuditLogStats;
};

type Pending = { record: StoredLine; resolve: () => void; reject: (error: unknown) => void };

const SESSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export async function openAuditLog(options: AuditLogOptions): Promise<AuditLog> {
  const { dir, session, signer } = options;
  const digestEvery = options.digestEvery ?? 100;
  const durability = options.durability ?? 'group';
  const genesis = options.genesis ?? ZERO_HASH;
  const now = options.now ?? (() => new Date());
  if (!SESSION_NAME.test(session)) {
    throw new WardenError('audit.bad_session', `"${session}" cannot name an audit log file`, {
      hint: 'letters, digits, ".", "_" and "-" only',
    });
  }
  if (!Number.isSafeInteger(digestEvery) || digestEvery < 1) {
    throw new WardenError('audit.bad_config', 'digestEvery must be a positive integer');
  }
  if (!isHash(genesis)) throw new WardenError('audit.bad_config', 'genesis must be 64 lowercase hex digits');

  const cipher = options.encryption ? await openSegmentCipher(options.encryption, session) : undefined;
  const storage: AuditStorage = await (options.storage ?? fileStorage(dir))(session);
  const file = storage.where;
  let tail: ReturnType<typeof readLogTail>;
  let previous: AuditLog['previous'];
  try {
    tail = readLogTail(await storage.read(), genesis);
    if (tail.tornBytes > 0) {
      // A crash mid-write left a partial line; keep the complete records and say so in the log.
      await storage.truncate(tail.validBytes);
    }
    if (tail.lastEntry) previous = await openEntry(tail.lastEntry, tail.lastEntryKey, options.encryption);
  } catch (error) {
    await storage.close();
    throw error;
  }

  let nextSeq = tail.nextSeq;
  let lastHash = tail.lastHash;
  let sinceDigest = tail.sinceDigest;
  let lastDigestHash = tail.lastDigestHash;
  let building: Promise<unknown> = Promise.resolve();
  let queue: Pending[] = [];
  let flushing = false;
  let failure: WardenError | undefined;
  let closing: Promise<void> | undefined;
  const stats: AuditLogStats = { writes: 0, syncs: 0 };

  // Signing is async, so building records (seq, prev, digests) is serialised; writing is not.
  function serial<T>(step: () => Promise<T>): Promise<T> {
    const result = building.then(step);
    building = result.catch(() => undefined);
    return result;
  }

  function build(type: string, data: unknown, time = now().toISOString()): AuditRecord {
    // Canonicalised first: a value that cannot be stored is refused before the chain advances.
    const plain: unknown = JSON.parse(canonicalJson(data === undefined ? null : data));
    const stored = cipher?.sensitive(type) ? cipher.seal(plain, payloadAad(session, nextSeq, type)) : plain;
    const fields = { seq: nextSeq, time, session, type, data: stored, prev: lastHash };
    const record = { ...fields, hash: recordHash(fields) };
    nextSeq += 1;
    lastHash = record.hash;
    if (type !== DIGEST_TYPE) sinceDigest.push(record.hash);
    return record;
  }

  async function buildDigest(final: boolean): Promise<AuditRecord> {
    const body: DigestBody = {
      session,
      time: now().toISOString(),
      lastSeq: nextSeq - 1,
      lastHash,
      merkleRoot: merkleRoot(sinceDigest),
      prevDigestHash: lastDigestHash,
      keyId: signer.keyId,
      final,
    };
    const signature = (await signer.sign(digestSigningBytes(body))).toString('base64');
    const record = build(DIGEST_TYPE, { ...body, signature }, body.time);
    sinceDigest = [];
    lastDigestHash = record.hash;
    return record;
  }

  function enqueue(record: AuditRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      queue.push({ record: { seq: record.seq, line: recordLine(record) }, resolve, reject });
      void flush();
    });
  }

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (queue.length > 0) {
        let batch: Pending[];
        if (durability === 'fsync-each') batch = queue.splice(0, 1);
        else [batch, queue] = [queue, []];
        try {
          if (failure) throw failure;
          await storage.append(
            batch.map((p) => p.record),
            durability !== 'none',
          );
          stats.writes += 1;
          if (durability !== 'none') stats.syncs += 1;
          for (const pending of batch) pending.resolve();
        } catch (error) {
          // After a failed write the file's tail is unknown: refuse everything after, so no effect
          // runs whose intent may not be on disk.
          failure ??= new WardenError(
            'audit.write_failed',
            `the audit log could not be written: ${(error as Error).message}`,
            {
              where: file,
              cause: error,
            },
          );
          for (const pending of batch) pending.reject(failure);
        }
      }
    } finally {
      flushing = false;
    }
  }

  function appendRecord(type: string, data: unknown): Promise<AuditRecord> {
    return serial(async () => {
      if (failure) throw failure;
      const record = build(type, data);
      const durable = [enqueue(record)];
      if (sinceDigest.length >= digestEvery) {
        try {
          durable.push(enqueue(await buildDigest(false)));
        } catch (error) {
          failure ??= new WardenError(
            'audit.sign_failed',
            `the audit digest could not be signed: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
      return { record, durable };
    }).then(async ({ record, durable }) => {
      await Promise.all(durable);
      return record;
    });
  }

  try {
    if (tail.nextSeq > 0 || tail.tornBytes > 0) {
      const marker = tail.closedCleanly && tail.tornBytes === 0 ? OPENED_TYPE : RECOVERED_TYPE;
      await appendRecord(marker, {
        afterSeq: tail.nextSeq - 1,
        droppedBytes: tail.tornBytes,
        closedCleanly: tail.closedCleanly,
      });
    }
    // Before any payload it seals: a reader opens the records after it with this key.
    if (cipher) await appendRecord(KEY_TYPE, cipher.keyRecord);
  } catch (error) {
    await storage.close();
    throw error;
  }

  return {
    file,
    previous,
    stats: () => ({ ...stats }),
    append(type, data) {
      if (closing)
        return Promise.reject(new WardenError('audit.closed', 'the audit log is closed', { where: file }));
      if (typeof type !== 'string' || type === '' || type.startsWith('audit.')) {
        return Promise.reject(
          new WardenError('audit.bad_type', `"${type}" is not a record type callers may write`, {
            hint: 'the "audit." prefix is reserved for the log itself',
          }),
        );
      }
      return appendRecord(type, data);
    },
    close() {
      closing ??= (async () => {
        try {
          await serial(async () => {
            if (failure) throw failure;
            await enqueue(await buildDigest(true));
            if (durability === 'none') await storage.sync();
          });
        } finally {
          await storage.close();
        }
      })();
      return closing;
    },
  };
}

/** The record's payload, opened when it is sealed; undefined when this writer holds no key that opens it. */
async function openEntry(
  entry: AuditRecord,
  key: AuditRecord | undefined,
  encryption: AuditEncryption | undefined,
): Promise<AuditLog['previous']> {
  if (!encryption) return { type: entry.type, data: entry.data };
  const decryptor = createLogDecryptor(encryption.wrapper);
  try {
    if (key) await decryptor.open(key);
    return { type: entry.type, data: await decryptor.open(entry) };
  } catch {
    // Another master key sealed it: the chain continues all the same, only where it stopped is unknown.
    return { type: entry.type, data: undefined };
  }
}
