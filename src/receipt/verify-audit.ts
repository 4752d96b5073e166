import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { asDigestData, asRecord, DIGEST_TYPE, digestSigningBytes } from '../audit/record.ts';
import { keyIdOf, verifySignature } from '../audit/signature.ts';
import { verifyAuditBytes } from '../audit/verify.ts';
import { fileProblem } from '../errors.ts';
import type { ReceiptPredicate } from './statement.ts';
import type { ReceiptCheck } from './verify.ts';

/** The receipt's audit digest is signed, by a trusted key, over its own fields: checkable without the log. */
export function auditDigestCheck(predicate: ReceiptPredicate, trusted: readonly KeyObject[]): ReceiptCheck {
  const { audit } = predicate;
  if (audit.session !== predicate.session) {
    return {
      name: 'audit-digest',
      ok: false,
      detail: `the audit digest is of session "${audit.session}", the receipt's is "${predicate.session}"`,
    };
  }
  const key = trusted.find((k) => keyIdOf(k) === audit.keyId);
  if (key === undefined) {
    return {
      name: 'audit-digest',
      ok: false,
      detail: `the audit digest is signed by ${audit.keyId}, not a trusted key`,
    };
  }
  const ok = verifySignature(key, digestSigningBytes(audit), Buffer.from(audit.signature, 'base64'));
  return ok
    ? {
        name: 'audit-digest',
        ok: true,
        detail: `the audit log's final digest (Merkle root ${audit.merkleRoot.slice(0, 16)}…, record ${audit.lastSeq}) is signed by ${audit.keyId}`,
      }
    : {
        name: 'audit-digest',
        ok: false,
        detail: `the audit digest's signature does not verify under ${audit.keyId}`,
      };
}

/**
 * The log verifies (every record, the chain, every digest, its end) under the key that signed the
 * receipt's digest, is the receipt's session's, and holds that digest: every signed field equal.
 */
export async function auditLogChecks(
  log: string | Uint8Array,
  predicate: ReceiptPredicate,
  trusted: readonly KeyObject[],
): Promise<ReceiptCheck[]> {
  let bytes: Buffer;
  try {
    bytes = typeof log === 'string' ? await readFile(log) : Buffer.from(log);
  } catch (error) {
    return [{ name: 'audit-log', ok: false, detail: `the audit log ${log} ${fileProblem(error)}` }];
  }
  const key = trusted.find((k) => keyIdOf(k) === predicate.audit.keyId);
  if (key === undefined) {
    return [
      {
        name: 'audit-log',
        ok: false,
        detail: `no trusted key is ${predicate.audit.keyId}, which signed the log`,
      },
    ];
  }
  const result = verifyAuditBytes(bytes, { publicKey: key, session: predicate.session });
  if (!result.ok) {
    return [
      {
        name: 'audit-log',
        ok: false,
        detail: `the audit log does not verify: ${result.firstBad.check}, ${result.message}`,
      },
    ];
  }
  const checks: ReceiptCheck[] = [
    {
      name: 'audit-log',
      ok: true,
      detail: `the audit log of session ${predicate.session} is intact: ${result.records} records, ${result.digests} signed digests`,
    },
  ];
  const expected = digestSigningBytes(predicate.audit);
  const held = bytes
    .toString('utf8')
    .split('\n')
    .some((line) => {
      const record = line === '' ? undefined : asRecord(safeParse(line));
      const data = record?.type === DIGEST_TYPE ? asDigestData(record.data) : undefined;
      return (
        data?.final === true &&
        data.signature === predicate.audit.signature &&
        digestSigningBytes(data).equals(expected)
      );
    });
  checks.push(
    held
      ? {
          name: 'audit-contains',
          ok: true,
          detail: `the log holds the receipt's final digest at record ${predicate.audit.lastSeq + 1}`,
        }
      : {
          name: 'audit-contains',
          ok: false,
          detail: "the log does not hold the receipt's final digest (Merkle root, last record, signature)",
        },
  );
  return checks;
}

function safeParse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
