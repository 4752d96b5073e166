export { type AuditLogSource, finalAuditDigest, finalDigestOf } from './audit-digest.ts';
export { DIFF_ARGS, diffDigest } from './diff-digest.ts';
export {
  type DsseEnvelope,
  type DsseSignature,
  envelopeSigner,
  IN_TOTO_PAYLOAD_TYPE,
  pae,
  readEnvelope,
  signEnvelope,
} from './dsse.ts';
export { makeReceipt, type ReceiptInput, WARDEN_VERSION } from './make.ts';
export { policyDigest } from './policy-digest.ts';
export {
  SESSION_COMMIT_IDENTITY,
  type SessionCommit,
  type SnapshotInput,
  sessionRef,
  snapshotCommit,
} from './session-commit.ts';
export {
  publicRepositoryName,
  RECEIPT_PREDICATE_TYPE,
  type ReceiptPredicate,
  type ReceiptStatement,
  receiptStatement,
  STATEMENT_TYPE,
  statementSchema,
} from './statement.ts';
export {
  type ReceiptCheck,
  type ReceiptCheckName,
  type ReceiptVerification,
  type VerifyReceiptOptions,
  verifyReceipt,
} from './verify.ts';
