import type { KeyObject } from 'node:crypto';
import { keyIdOf } from '../audit/signer.ts';
import { envelopeSigner, IN_TOTO_PAYLOAD_TYPE, readEnvelope } from './dsse.ts';
import { type ReceiptStatement, statementSchema } from './statement.ts';
import { auditDigestCheck, auditLogChecks } from './verify-audit.ts';
import { repositoryChecks } from './verify-repo.ts';

export type ReceiptCheckName =
  | 'envelope'
  | 'payload-type'
  | 'signature'
  | 'statement'
  | 'audit-digest'
  | 'policy'
  | 'commit'
  | 'rev'
  | 'tree'
  | 'diff'
  | 'audit-log'
  | 'audit-contains';

export type ReceiptCheck = { name: ReceiptCheckName; ok: boolean; detail: string };

export type VerifyReceiptOptions = {
  /** The keys a receipt may be signed by; a signature counts only under the key its keyid names. */
  publicKeys: KeyObject[];
  /** A repository holding the commits: checks the commit, its tree and the diff. */
  repo?: string;
  /** With `repo`: this revision (a branch, a tag) must be the receipt's commit. */
  rev?: string;
  /** The session's audit log, a file path or its bytes: it must verify and hold the receipt's digest. */
  auditLog?: string | Uint8Array;
  /** The policy the reviewer expects (policyDigest of it): the receipt's must be the same. */
  policyDigest?: string;
};

export type ReceiptVerification = {
  ok: boolean;
  checks: ReceiptCheck[];
  /** The statement, once it parsed; trust it only when `ok`. */
  statement?: ReceiptStatement;
};

/** Checks a receipt offline; never throws on what the envelope holds, and names each check it ran. */
export async function verifyReceipt(
  envelope: unknown,
  options: VerifyReceiptOptions,
): Promise<ReceiptVerification> {
  const checks: ReceiptCheck[] = [];
  const done = (statement?: ReceiptStatement): ReceiptVerification => ({
    ok: checks.length > 0 && checks.every((c) => c.ok),
    checks,
    ...(statement ? { statement } : {}),
  });

  const shape = readEnvelope(envelope);
  if (!shape.ok) {
    checks.push({ name: 'envelope', ok: false, detail: `not a DSSE envelope: ${shape.problem}` });
    return done();
  }
  checks.push({ name: 'envelope', ok: true, detail: 'a DSSE envelope' });
  const { payloadType } = shape.envelope;
  checks.push(
    payloadType === IN_TOTO_PAYLOAD_TYPE
      ? { name: 'payload-type', ok: true, detail: IN_TOTO_PAYLOAD_TYPE }
      : {
          name: 'payload-type',
          ok: false,
          detail: `payloadType is "${payloadType}", not ${IN_TOTO_PAYLOAD_TYPE}`,
        },
  );
  const signer = envelopeSigner(shape.envelope, shape.payload, options.publicKeys);
  const trusted = options.publicKeys.map((k) => keyIdOf(k)).join(', ') || 'none';
  checks.push(
    signer
      ? { name: 'signature', ok: true, detail: `signed by ${signer.keyId}` }
      : {
          name: 'signature',
          ok: false,
          detail: `no signature by a trusted key (signed as ${shape.envelope.signatures.map((s) => s.keyid).join(', ')}; trusted: ${trusted})`,
        },
  );

  let parsed: unknown;
  try {
    parsed = JSON.parse(shape.payload.toString('utf8'));
  } catch {
    checks.push({ name: 'statement', ok: false, detail: 'the payload is not JSON' });
    return done();
  }
  const result = statementSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the statement';
    checks.push({
      name: 'statement',
      ok: false,
      detail: `not a Warden session receipt: ${where} ${issue?.message}`,
    });
    return done();
  }
  const statement = result.data;
  const { predicate } = statement;
  const [subject] = statement.subject;
  if (
    subject?.digest.gitCommit !== predicate.commit ||
    subject.name !== `${predicate.repository}@${predicate.commit}`
  ) {
    checks.push({ name: 'statement', ok: false, detail: "the subject is not the predicate's commit" });
    return done(statement);
  }
  checks.push({ name: 'statement', ok: true, detail: `a session receipt for ${subject.name}` });
  checks.push(auditDigestCheck(predicate, options.publicKeys));
  if (options.policyDigest !== undefined) {
    checks.push(
      options.policyDigest === predicate.policy.digest
        ? {
            name: 'policy',
            ok: true,
            detail: `policy ${predicate.policy.name} is ${predicate.policy.digest}`,
          }
        : {
            name: 'policy',
            ok: false,
            detail: `the receipt's policy (${predicate.policy.name}) is ${predicate.policy.digest}, not ${options.policyDigest}`,
          },
    );
  }
  if (options.repo !== undefined)
    checks.push(...(await repositoryChecks(options.repo, predicate, options.rev)));
  if (options.auditLog !== undefined) {
    checks.push(...(await auditLogChecks(options.auditLog, predicate, options.publicKeys)));
  }
  return done(statement);
}
