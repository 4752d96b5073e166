import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DigestData } from '../../audit/record.ts';
import { keyIdOf, type Signer } from '../../audit/signer.ts';
import { openAuditLog } from '../../audit/writer.ts';
import { finalDigestOf } from '../audit-digest.ts';
import type { DsseEnvelope } from '../dsse.ts';
import { makeReceipt } from '../make.ts';
import { snapshotCommit } from '../session-commit.ts';

export function memorySigner(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { keyId: keyIdOf(publicKey), publicKey, sign: async (bytes) => sign(null, bytes, privateKey) };
}

/** git as a test's user runs it, with a fixed identity and no config of the machine's. */
export function gitIn(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GIT_CONFIG_NOSYSTEM: '1' },
  }).trim();
}

export type ReceiptFixture = {
  dir: string;
  repo: string;
  base: string;
  commit: string;
  session: string;
  signer: Signer;
  auditFile: string;
  audit: DigestData;
  envelope: DsseEnvelope;
  cleanup(): Promise<void>;
};

/** A repository with one commit, a session's change left in its work tree, that session's closed log, and its receipt. */
export async function receiptFixture(
  session = 'sfixture-1',
  signer: Signer = memorySigner(),
): Promise<ReceiptFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'warden-receipt-'));
  const repo = join(dir, 'repo');
  await mkdir(join(repo, 'src'), { recursive: true });
  gitIn(repo, 'init', '-q');
  await writeFile(join(repo, 'src', 'sum.js'), 'export const sum = (a, b) => a - b;\n');
  await writeFile(join(repo, 'README.md'), '# sample\n');
  await writeFile(join(repo, '.gitignore'), 'build/\n');
  gitIn(repo, 'add', '-A');
  gitIn(repo, 'commit', '-qm', 'base');
  const base = gitIn(repo, 'rev-parse', 'HEAD');
  await writeFile(join(repo, 'src', 'sum.js'), 'export const sum = (a, b) => a + b;\n');
  await writeFile(join(repo, 'src', 'sum.test.js'), 'assert(sum(1, 2) === 3);\n');
  await writeFile(join(repo, 'logo.bin'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 10]));
  await rm(join(repo, 'README.md'));

  const auditDir = join(dir, 'audit');
  const log = await openAuditLog({ dir: auditDir, session, signer, durability: 'none' });
  await log.append('session.started', { task: 'fix sum' });
  await log.append('tool.finished', { tool: 'edit_file', path: 'src/sum.js' });
  await log.close();
  const auditFile = log.file;
  const audit = finalDigestOf(await readFile(auditFile), auditFile, session);
  const { commit } = await snapshotCommit(repo, {
    base,
    message: `warden session ${session}`,
    session,
    time: '2026-01-02T03:04:05Z',
  });
  const envelope = await makeReceipt(
    {
      repository: repo,
      root: repo,
      base,
      commit,
      session,
      policy: { name: 'default', digest: `sha256:${'a'.repeat(64)}` },
      models: ['script:fix.json'],
      audit,
    },
    signer,
  );
  return {
    dir,
    repo,
    base,
    commit,
    session,
    signer,
    auditFile,
    audit,
    envelope,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
