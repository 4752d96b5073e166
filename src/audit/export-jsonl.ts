import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { WardenError } from '../errors.ts';
import { type AuditRecord, asRecord } from './record.ts';
import { type VerifyResult, verifyAuditBytes } from './verify.ts';

export type ExportReadOptions = {
  publicKey: KeyObject | string;
  /** Export a log that fails verification anyway; its records past the first bad line say `verified: false`. */
  force?: boolean;
};

/** A stored record plus whether it lies in the part of the log that verified. */
export type ExportedRecord = AuditRecord & { verified: boolean };

export type ExportRead = { records: ExportedRecord[]; verification: VerifyResult; skippedLines: number };

/**
 * Verifies a log, then parses it for export. A broken log is refused unless `force`: a SIEM or
 * collector that receives records cannot tell a forged one from a true one, so the check happens here.
 */
export async function readForExport(file: string, options: ExportReadOptions): Promise<ExportRead> {
  const bytes = await readFile(file);
  const named = /^(.+)\.audit\.jsonl$/.exec(basename(file))?.[1];
  const verification = verifyAuditBytes(bytes, { session: named, publicKey: options.publicKey });
  if (!verification.ok && !options.force) {
    const { check, line, seq } = verification.firstBad;
    throw new WardenError(
      'audit.broken',
      `refusing to export a log that fails verification: ${check} at ${seq === undefined ? `line ${line}` : `record ${seq}`}`,
      {
        where: file,
        hint: 'run warden audit verify for details, or pass --force to export it marked unverified',
      },
    );
  }
  // Per record, not per file: a SIEM ingests lines one by one and loses any header line's context.
  const firstBadLine = verification.ok ? Number.POSITIVE_INFINITY : verification.firstBad.line;
  const records: ExportedRecord[] = [];
  let skippedLines = 0;
  for (const [i, line] of bytes.toString('utf8').split('\n').entries()) {
    if (line === '') continue;
    let record: AuditRecord | undefined;
    try {
      record = asRecord(JSON.parse(line));
    } catch {
      record = undefined;
    }
    if (record === undefined) {
      skippedLines += 1;
      continue;
    }
    records.push({ ...record, verified: i + 1 < firstBadLine });
  }
  return { records, verification, skippedLines };
}

export type JsonlExportResult = { records: number; verified: boolean; skippedLines: number };

/**
 * Writes one JSON object per line: the stored record unchanged (encrypted payloads stay ciphertext)
 * plus `verified`. The record's `hash` still recomputes from its other fields, `verified` excluded.
 */
export async function exportJsonl(
  file: string,
  write: (line: string) => void | Promise<void>,
  options: ExportReadOptions,
): Promise<JsonlExportResult> {
  const { records, verification, skippedLines } = await readForExport(file, options);
  for (const record of records) await write(`${JSON.stringify(record)}\n`);
  return { records: records.length, verified: verification.ok, skippedLines };
}
