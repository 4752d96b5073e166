import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { readPgAuditLog } from '../audit/pg-storage.ts';
import { asDigestData, asRecord, DIGEST_TYPE, type DigestData } from '../audit/record.ts';
import { fileProblem, WardenError } from '../errors.ts';

/** One session's audit log: a file (src/audit/storage.ts), or its rows in PostgreSQL (pg-storage.ts). */
export type AuditLogSource = { file: string; session?: string } | { pool: pg.Pool; session: string };

/** The signed digest close() wrote last in the session's log. */
export async function finalAuditDigest(source: AuditLogSource): Promise<DigestData> {
  if ('file' in source) {
    let bytes: Buffer;
    try {
      bytes = await readFile(source.file);
    } catch (error) {
      throw new WardenError('receipt.audit', `the audit log ${fileProblem(error)}`, { where: source.file });
    }
    return finalDigestOf(bytes, source.file, source.session);
  }
  const where = `audit_records of session ${source.session}`;
  const bytes = await readPgAuditLog(source.pool, source.session);
  if (bytes === undefined) throw new WardenError('receipt.audit', 'the session has no audit log', { where });
  return finalDigestOf(bytes, where, source.session);
}

/**
 * The final digest of a log's bytes. A log that ends otherwise is still open, crashed, or was cut:
 * it is no record of a finished session, and a receipt must not point into it.
 */
export function finalDigestOf(bytes: Buffer, where: string, session?: string): DigestData {
  const lines = bytes.toString('utf8').split('\n');
  if (lines.at(-1) !== '') {
    throw new WardenError('receipt.audit', 'the audit log ends in an incomplete line', {
      where,
      hint: 'run: warden audit verify',
    });
  }
  const last = lines.at(-2);
  if (last === undefined) throw new WardenError('receipt.audit', 'the audit log is empty', { where });
  let record: ReturnType<typeof asRecord>;
  try {
    record = asRecord(JSON.parse(last));
  } catch {
    record = undefined;
  }
  if (record === undefined) {
    throw new WardenError('receipt.audit', 'the last line of the audit log is not an audit record', {
      where,
      hint: 'run: warden audit verify',
    });
  }
  const data = record.type === DIGEST_TYPE ? asDigestData(record.data) : undefined;
  if (data === undefined || !data.final) {
    throw new WardenError(
      'receipt.audit',
      `the audit log does not end in its final signed digest (last record: seq ${record.seq}, ${record.type}): the session is still running, crashed, or the log was cut`,
      { where, hint: 'end the session first; run: warden audit verify' },
    );
  }
  if (session !== undefined && (record.session !== session || data.session !== session)) {
    throw new WardenError(
      'receipt.audit',
      `the audit log is of session "${record.session}", not "${session}"`,
      {
        where,
      },
    );
  }
  return data;
}
