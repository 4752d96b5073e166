import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Report } from '../agent/events.ts';
import { auditLogPath, createLocalSigner } from '../audit/index.ts';
import { WardenError } from '../errors.ts';
import { finalAuditDigest, makeReceipt, policyDigest, snapshotCommit } from '../receipt/index.ts';
import { commitId, receiptGit } from '../receipt/receipt-git.ts';
import type { CommandIo } from './main.ts';
import { locateRepo } from './repo.ts';
import type { LocalSetup } from './session-setup.ts';

/** What `exec --receipt FILE` settles before the session starts: where to write, and the base commit. */
export type ReceiptPlan = { file: string; root: string; base: string };

/** Checked before anything starts: a receipt needs a git repository with a commit to start from. */
export async function planReceipt(
  flag: string,
  repoFlag: string | undefined,
  io: CommandIo,
): Promise<ReceiptPlan> {
  if (flag.trim() === '') throw new WardenError('usage', '--receipt needs a file to write the receipt to');
  const file = resolve(io.cwd, flag);
  const parent = await stat(dirname(file)).catch(() => undefined);
  if (!parent?.isDirectory()) {
    throw new WardenError('usage', `--receipt ${file}: the directory ${dirname(file)} does not exist`);
  }
  if ((await stat(file).catch(() => undefined))?.isDirectory()) {
    throw new WardenError('usage', `--receipt ${file} is a directory, not a file`);
  }
  const { root } = locateRepo(repoFlag, io.cwd);
  const inside = await receiptGit(root, ['rev-parse', '--is-inside-work-tree']);
  if (inside.code !== 0 || inside.stdout.trim() !== 'true') {
    throw new WardenError('receipt.no_git', `--receipt needs a git repository, and ${root} is not in one`, {
      hint: 'run git init and commit, or leave out --receipt',
    });
  }
  const base = await commitId(root, 'HEAD');
  if (base === undefined) {
    throw new WardenError(
      'receipt.no_git',
      `--receipt needs a commit to start from, and ${root} has none yet`,
      {
        hint: 'commit first: the receipt records the change from that commit',
      },
    );
  }
  return { file, root, base };
}

/** After the session: its work tree as a commit, the receipt of it, written atomically (0644). */
export async function writeReceipt(
  plan: ReceiptPlan,
  session: { id: string; report: Report; setup: LocalSetup },
  io: CommandIo,
  json: boolean,
): Promise<void> {
  const { setup, id } = session;
  const time = new Date();
  const { commit, ref } = await snapshotCommit(plan.root, {
    base: plan.base,
    message: `Warden session ${id}`,
    session: id,
    time,
  });
  const auditFile = auditLogPath(setup.audit.dir, id);
  const audit = await finalAuditDigest({ file: auditFile, session: id });
  const signer = await createLocalSigner({ keyDir: setup.audit.keyDir });
  const origin = await receiptGit(plan.root, ['remote', 'get-url', 'origin']);
  const envelope = await makeReceipt(
    {
      repository: origin.code === 0 && origin.stdout.trim() !== '' ? origin.stdout.trim() : plan.root,
      root: plan.root,
      base: plan.base,
      commit,
      session: id,
      policy: { name: setup.policyName, digest: policyDigest(setup.policy) },
      models: [...new Set([setup.model.info.id, ...Object.keys(session.report.byModel)])],
      audit,
      time,
    },
    signer,
  );
  const temporary = `${plan.file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(envelope, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
    await chmod(temporary, 0o644);
    await rename(temporary, plan.file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new WardenError('receipt.write', `cannot write the receipt: ${(error as Error).message}`, {
      where: plan.file,
    });
  }
  const say = json ? io.stderr : io.stdout;
  say(`receipt: ${plan.file} (commit ${commit.slice(0, 12)}, kept as ${ref})\n`);
  say(`verify it: warden receipt verify ${plan.file} --repo ${plan.root} --audit ${auditFile}\n`);
}
