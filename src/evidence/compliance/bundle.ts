import { createPublicKey, hash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Signer } from '../../audit/signer.ts';
import { fileProblem, WardenError } from '../../errors.ts';
import { envelopeSigner, readEnvelope, signEnvelope } from '../../receipt/dsse.ts';
import type { ComplianceReport } from './collect.ts';
import { reportHtml } from './report-html.ts';

export const BUNDLE_PAYLOAD_TYPE = 'application/vnd.warden.compliance-bundle+json';
export const BUNDLE_FILES = ['report.json', 'report.html'] as const;
export const SIGNATURE_FILE = 'report.sig.json';

/** What the signature vouches for: the two files by digest, and what they are evidence of. */
export interface BundleStatement {
  _type: 'warden.compliance-bundle/v1';
  framework: string;
  period: { from: string; to: string };
  files: Record<(typeof BUNDLE_FILES)[number], string>;
}

const digest = (bytes: string | Buffer) => `sha256:${hash('sha256', bytes)}`;

/** Writes report.json, report.html and report.sig.json (a DSSE envelope over both files' digests). */
export async function writeBundle(
  dir: string,
  report: ComplianceReport,
  signer: Signer,
): Promise<BundleStatement> {
  await mkdir(dir, { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const page = reportHtml(report, signer.keyId);
  const statement: BundleStatement = {
    _type: 'warden.compliance-bundle/v1',
    framework: report.framework,
    period: report.period,
    files: { 'report.json': digest(json), 'report.html': digest(page) },
  };
  const envelope = await signEnvelope(BUNDLE_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), signer);
  await writeFile(join(dir, 'report.json'), json);
  await writeFile(join(dir, 'report.html'), page);
  await writeFile(join(dir, SIGNATURE_FILE), `${JSON.stringify(envelope, null, 2)}\n`);
  return statement;
}

export type BundleVerification =
  | { ok: true; keyId: string; statement: BundleStatement }
  | { ok: false; problem: string };

/** The bundle in `dir` is as signed: the signature is by `publicKey` and each file matches its digest. */
export async function verifyBundle(dir: string, publicKey: string): Promise<BundleVerification> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, SIGNATURE_FILE), 'utf8'));
  } catch (error) {
    return {
      ok: false,
      problem: `${SIGNATURE_FILE}: ${error instanceof SyntaxError ? 'not JSON' : fileProblem(error)}`,
    };
  }
  const shape = readEnvelope(raw);
  if (!shape.ok) return { ok: false, problem: `${SIGNATURE_FILE}: ${shape.problem}` };
  if (shape.envelope.payloadType !== BUNDLE_PAYLOAD_TYPE)
    return { ok: false, problem: `${SIGNATURE_FILE}: payloadType is not ${BUNDLE_PAYLOAD_TYPE}` };
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey(publicKey);
  } catch {
    throw new WardenError('usage', 'the verifying key is not a public key in PEM form');
  }
  const signer = envelopeSigner(shape.envelope, shape.payload, [key]);
  if (!signer) return { ok: false, problem: 'the signature does not verify under the given key' };
  const statement = JSON.parse(shape.payload.toString('utf8')) as BundleStatement;
  for (const name of BUNDLE_FILES) {
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, name));
    } catch (error) {
      return { ok: false, problem: `${name}: it ${fileProblem(error)}` };
    }
    if (digest(bytes) !== statement.files?.[name])
      return { ok: false, problem: `${name} is not the file that was signed` };
  }
  return { ok: true, keyId: signer.keyId, statement };
}
