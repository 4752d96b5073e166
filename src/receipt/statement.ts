import { z } from 'zod';
import type { DigestData } from '../audit/record.ts';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** Names the predicate's schema: Warden's session receipt, version 1. */
export const RECEIPT_PREDICATE_TYPE = 'urn:warden:session-receipt:v1';

const commitHash = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'must be a full git object id');
const sha256 = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex digits>');
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits');

const auditDigestSchema = z.strictObject({
  session: z.string(),
  time: z.string(),
  lastSeq: z.number().int().nonnegative(),
  lastHash: hex64,
  merkleRoot: hex64,
  prevDigestHash: hex64,
  keyId: z.string(),
  final: z.literal(true),
  signature: z.string(),
});

export const predicateSchema = z.strictObject({
  /** A URL or path, never with credentials in it. */
  repository: z.string().min(1),
  baseCommit: commitHash,
  commit: commitHash,
  tree: commitHash,
  /** sha256 of the binary patch baseCommit..commit (see diff-digest.ts for how it is made). */
  diffDigest: sha256,
  policy: z.strictObject({ name: z.string(), digest: sha256 }),
  models: z.array(z.string()),
  wardenVersion: z.string(),
  session: z.string().min(1),
  /** The session's audit log's final signed digest, whole, so its signature can be checked alone. */
  audit: auditDigestSchema,
  time: z.string(),
});

export type ReceiptPredicate = z.infer<typeof predicateSchema>;

export const statementSchema = z.strictObject({
  _type: z.literal(STATEMENT_TYPE),
  subject: z
    .array(z.strictObject({ name: z.string(), digest: z.strictObject({ gitCommit: commitHash }) }))
    .length(1),
  predicateType: z.literal(RECEIPT_PREDICATE_TYPE),
  predicate: predicateSchema,
});

export type ReceiptStatement = z.infer<typeof statementSchema>;

/** The in-toto Statement v1 whose subject is the resulting commit (`gitCommit` is in-toto's digest name). */
export function receiptStatement(predicate: ReceiptPredicate): ReceiptStatement {
  return {
    _type: STATEMENT_TYPE,
    subject: [
      { name: `${predicate.repository}@${predicate.commit}`, digest: { gitCommit: predicate.commit } },
    ],
    predicateType: RECEIPT_PREDICATE_TYPE,
    predicate,
  };
}

/** The fields of a final digest a receipt carries, whatever else the record held. */
export function receiptAuditDigest(data: DigestData): ReceiptPredicate['audit'] {
  const { session, time, lastSeq, lastHash, merkleRoot, prevDigestHash, keyId, signature } = data;
  return { session, time, lastSeq, lastHash, merkleRoot, prevDigestHash, keyId, final: true, signature };
}

/**
 * A repository as a receipt may name it: a URL without user, password, query or fragment (where
 * tokens travel), or a path as given. A receipt is published; a credential in it would be too.
 */
export function publicRepositoryName(repository: string): string {
  // scp-like `user@host:path`: the user part goes too (git then uses ssh's default user).
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(repository)) return repository.replace(/^[^/:]*@(?=[^/:]+:)/, '');
  try {
    const url = new URL(repository);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString();
  } catch {
    // Not parseable as a URL: keep only what follows the last "@" of the authority.
    return repository.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, '$1').replace(/[?#].*$/, '');
  }
}
