import { WardenError } from '../errors.ts';
import { type AuditRecord, asDigestData, asRecord, DIGEST_TYPE, KEY_TYPE, ZERO_HASH } from './record.ts';

/** What a writer needs to continue an existing log's chain. */
export type LogTail = {
  nextSeq: number;
  lastHash: string;
  /** Hashes of the records after the last digest: the leaves of the next digest's tree. */
  sinceDigest: string[];
  lastDigestHash: string;
  /** The previous writer closed with a final digest. */
  closedCleanly: boolean;
  /** Bytes of complete lines; anything after is a torn write. */
  validBytes: number;
  tornBytes: number;
  /** The last record a caller wrote (not an `audit.*` one), and the `audit.key` record that seals it. */
  lastEntry?: AuditRecord;
  lastEntryKey?: AuditRecord;
};

/**
 * Reads the state at the end of a log. A last line without its newline is a write torn by a
 * crash; it is reported, not parsed, and the writer cuts it off.
 */
export function readLogTail(bytes: Buffer, genesis: string): LogTail {
  const validBytes = bytes.lastIndexOf(0x0a) + 1;
  const tail: LogTail = {
    nextSeq: 0,
    lastHash: genesis,
    sinceDigest: [],
    lastDigestHash: ZERO_HASH,
    closedCleanly: true,
    validBytes,
    tornBytes: bytes.length - validBytes,
  };
  if (validBytes === 0) return tail;
  const lines = bytes
    .subarray(0, validBytes - 1)
    .toString('utf8')
    .split('\n');
  let key: AuditRecord | undefined;
  for (const [i, line] of lines.entries()) {
    const record = asRecord(safeParse(line));
    if (record === undefined) {
      throw new WardenError(
        'audit.corrupt',
        'this line is not an audit record; the log cannot be continued',
        {
          where: `line ${i + 1}`,
          hint: 'run `warden audit verify` on it',
        },
      );
    }
    tail.nextSeq = record.seq + 1;
    tail.lastHash = record.hash;
    if (record.type === KEY_TYPE) key = record;
    else if (!record.type.startsWith('audit.')) {
      tail.lastEntry = record;
      tail.lastEntryKey = key;
    }
    if (record.type === DIGEST_TYPE) {
      tail.sinceDigest = [];
      tail.lastDigestHash = record.hash;
      tail.closedCleanly = asDigestData(record.data)?.final === true;
    } else {
      tail.sinceDigest.push(record.hash);
      tail.closedCleanly = false;
    }
  }
  return tail;
}

function safeParse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
