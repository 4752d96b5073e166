import packageJson from '../../package.json' with { type: 'json' };
import { canonicalJson } from '../audit/canonical-json.ts';
import type { DigestData } from '../audit/record.ts';
import type { Signer } from '../audit/signer.ts';
import { WardenError } from '../errors.ts';
import { diffDigest } from './diff-digest.ts';
import { type DsseEnvelope, IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.ts';
import { commitId, mustGit } from './receipt-git.ts';
import { publicRepositoryName, receiptAuditDigest, receiptStatement, statementSchema } from './statement.ts';

export const WARDEN_VERSION: string = packageJson.version;

export type ReceiptInput = {
  /** A URL or a path; user, password and query of a URL are left out. */
  repository: string;
  /** The repository on this machine, where the commits are. */
  root: string;
  base: string;
  commit: string;
  session: string;
  policy: { name: string; digest: string };
  models: string[];
  /** The session log's final signed digest (finalAuditDigest). */
  audit: DigestData;
  /** When the receipt is made; default now. */
  time?: Date;
};

/** The session's receipt: an in-toto Statement about the resulting commit, in a DSSE envelope signed by `signer`. */
export async function makeReceipt(input: ReceiptInput, signer: Signer): Promise<DsseEnvelope> {
  const base = await mustCommit(input.root, input.base, 'base');
  const commit = await mustCommit(input.root, input.commit, 'resulting');
  const tree = await mustGit(
    input.root,
    ['rev-parse', '--verify', `${commit}^{tree}`],
    `read the tree of ${commit}`,
  );
  if (!input.audit.final) {
    throw new WardenError('receipt.audit', 'the audit digest is not the final one of its log', {
      hint: 'take it with finalAuditDigest once the session has ended',
    });
  }
  if (input.audit.session !== input.session) {
    throw new WardenError(
      'receipt.audit',
      `the audit digest is of session "${input.audit.session}", not "${input.session}"`,
    );
  }
  const statement = receiptStatement({
    repository: publicRepositoryName(input.repository),
    baseCommit: base,
    commit,
    tree,
    diffDigest: await diffDigest(input.root, base, commit),
    policy: { name: input.policy.name, digest: input.policy.digest },
    models: [...input.models],
    wardenVersion: WARDEN_VERSION,
    session: input.session,
    audit: receiptAuditDigest(input.audit),
    time: (input.time ?? new Date()).toISOString(),
  });
  // What is signed is what verify accepts: a malformed input fails here, not in a reviewer's hands.
  const checked = statementSchema.safeParse(statement);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new WardenError(
      'receipt.input',
      `the receipt would be malformed: ${issue?.path.join('.')} ${issue?.message}`,
    );
  }
  return signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(canonicalJson(statement)), signer);
}

async function mustCommit(root: string, rev: string, which: string): Promise<string> {
  const id = rev.trim() === '' ? undefined : await commitId(root, rev);
  if (id === undefined) {
    throw new WardenError('receipt.input', `the ${which} commit "${rev}" is not a commit in the repository`, {
      where: root,
    });
  }
  return id;
}
