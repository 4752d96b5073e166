import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PUBLIC_KEY_FILE, toPublicKey } from '../audit/index.ts';
import { fileProblem, WardenError } from '../errors.ts';
import { loadPolicy } from '../policy/load.ts';
import { policyDigest, type ReceiptVerification, verifyReceipt } from '../receipt/index.ts';
import { parseFlags } from './args.ts';
import { readPublicKey } from './audit-logs.ts';
import { auditKeyDir } from './audit-paths.ts';
import type { CommandIo } from './main.ts';
import { forTerminal } from './terminal.ts';

export const RECEIPT_HELP = `Usage: warden receipt verify RECEIPT [--repo DIR [--rev REV]] [--audit LOG] [--key PEM…] [--policy FILE] [--json]

Checks a session receipt (warden exec --receipt FILE, or a pull request's) offline: the DSSE
envelope and its in-toto statement, the signature by a trusted key, and the audit log's final digest
the receipt names (signed by a trusted key too). Each option adds checks:

  --repo DIR     the commit is in the repository, its tree is the receipt's, and the diff from the
                 base commit hashes to the receipt's diff digest
  --rev REV      with --repo: this branch, tag or commit is the receipt's commit
  --audit LOG    the session's audit log file verifies and holds the receipt's final digest
  --key PEM      a trusted public key; repeat for more. Default: the key beside Warden's signing key
                 (~/.local/state/warden/keys/audit-ed25519.pub.pem), as warden audit verify uses
  --policy FILE  the receipt's policy is this policy file (its digest, not its spelling)
  --json         the checks as one JSON object

Prints each check with ✓ or ✗; exit 0 when every check passes, 1 when one fails, 2 on a usage error.`;

export async function receiptCommand(args: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseFlags('receipt', args, {
    repo: { type: 'string' },
    rev: { type: 'string' },
    audit: { type: 'string' },
    key: { type: 'string', multiple: true },
    policy: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${RECEIPT_HELP}\n`);
    return 0;
  }
  const [action, file, ...extra] = positionals;
  if (action !== 'verify') {
    throw new WardenError(
      'usage',
      action ? `unknown receipt action "${action}"` : 'receipt needs an action: verify',
      {
        hint: 'warden receipt verify RECEIPT',
      },
    );
  }
  if (!file || extra.length > 0) {
    throw new WardenError('usage', 'verify takes one receipt file', {
      hint: 'warden receipt verify RECEIPT [--repo DIR]',
    });
  }
  if (values.rev !== undefined && values.repo === undefined) {
    throw new WardenError('usage', '--rev needs --repo DIR, the repository it names a revision of');
  }
  const keyFiles = values.key?.length
    ? values.key.map((k) => resolve(io.cwd, k))
    : [join(auditKeyDir(io.env), PUBLIC_KEY_FILE)];
  const publicKeys = await Promise.all(keyFiles.map(async (k) => toPublicKey(await readPublicKey(k))));
  const expectedPolicy =
    values.policy === undefined ? undefined : policyDigest(await loadPolicy(resolve(io.cwd, values.policy)));

  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new WardenError('receipt.read', `the receipt ${path} ${fileProblem(error)}`, {
      hint: 'pass the file warden exec --receipt wrote',
    });
  }
  let envelope: unknown;
  let result: ReceiptVerification;
  try {
    envelope = JSON.parse(text);
    result = await verifyReceipt(envelope, {
      publicKeys,
      ...(values.repo === undefined ? {} : { repo: resolve(io.cwd, values.repo) }),
      ...(values.rev === undefined ? {} : { rev: values.rev }),
      ...(values.audit === undefined ? {} : { auditLog: resolve(io.cwd, values.audit) }),
      ...(expectedPolicy === undefined ? {} : { policyDigest: expectedPolicy }),
    });
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    result = { ok: false, checks: [{ name: 'envelope', ok: false, detail: `not JSON: ${error.message}` }] };
  }
  if (values.json) {
    io.stdout(`${JSON.stringify({ file: path, ...result })}\n`);
    return result.ok ? 0 : 1;
  }
  io.stdout(`receipt ${forTerminal(path)}\n`);
  const width = Math.max(...result.checks.map((c) => c.name.length));
  for (const check of result.checks) {
    io.stdout(`  ${check.ok ? '✓' : '✗'} ${check.name.padEnd(width)}  ${forTerminal(check.detail)}\n`);
  }
  const p = result.statement?.predicate;
  if (result.ok && p) {
    io.stdout(
      forTerminal(
        `verified: session ${p.session} turned ${p.baseCommit.slice(0, 12)} into ${p.commit.slice(0, 12)} under policy ${p.policy.name} (${p.policy.digest}), models ${p.models.join(', ') || 'none'}, Warden ${p.wardenVersion}, ${p.time}\n`,
      ),
    );
  } else {
    const bad = result.checks.filter((c) => !c.ok).map((c) => c.name);
    io.stdout(`NOT verified: ${bad.join(', ')} failed\n`);
  }
  if (result.ok && values.repo === undefined)
    io.stdout('  (the commit and its diff were not checked: pass --repo DIR)\n');
  if (result.ok && values.audit === undefined)
    io.stdout('  (the audit log was not checked: pass --audit LOG)\n');
  return result.ok ? 0 : 1;
}
