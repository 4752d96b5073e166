import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  type AuditRecord,
  asEncryptedPayload,
  createLocalKeyWrapper,
  createLogDecryptor,
  KEY_TYPE,
  keyWrapperFromFile,
  type LogDecryptor,
  PUBLIC_KEY_FILE,
  proveInclusion,
  type VerifyResult,
  verifyAuditBytes,
  verifyAuditLog,
  verifyInclusion,
} from '../audit/index.ts';
import { recordedKeyOpener } from '../audit/kms-key-wrapper.ts';
import { listPgAuditSessions, readPgAuditLog } from '../audit/pg-storage.ts';
import { WardenError } from '../errors.ts';
import { openDatabase } from '../store/pg-database.ts';
import { parseFlags } from './args.ts';
import { auditExportCommand } from './audit-export.ts';
import { namedLog, namedLogs, readPublicKey } from './audit-logs.ts';
import { auditDir, auditKeyDir } from './audit-paths.ts';
import type { CommandIo } from './main.ts';
import { locateRepo } from './repo.ts';
import { forTerminal } from './terminal.ts';

export const AUDIT_HELP = `Usage: warden audit verify [SESSION|FILE…] [--audit-dir DIR | --database URL] [--key PEM] [--json]
       warden audit show SESSION [--audit-dir DIR] [--decrypt [--master-key FILE]]
       warden audit prove SESSION SEQ [--audit-dir DIR] [--key PEM]
       warden audit export SESSION --format jsonl|otlp [--endpoint URL] [--force]

verify checks every record's hash, the chain, and each signed digest (its signature, Merkle root and
chain), and that the log ends with its final digest: exit 0 when every log is intact, 1 naming the
first bad record and the check that failed. With no SESSION, every log in the directory.
show prints a session's audit timeline; payloads that carry code, prompts or outputs are stored
encrypted and shown as [encrypted] unless --decrypt opens them with the master key (default
audit-master.key beside the signing key; a log sealed in AWS KMS is opened through KMS with the
default AWS credentials, which need kms:Decrypt on its key). prove prints an inclusion proof for one record that
verifies against its signed digest alone.

With --database URL (a server in PostgreSQL mode), verify reads the sessions' logs from the
database (every session when none is named); GET /v1/tasks/{id}/audit downloads one as a file.

The public key defaults to the one beside Warden's signing key (~/.local/state/warden/keys). For a
key in AWS KMS, --key takes what \`aws kms get-public-key --key-id KEY --query PublicKey --output text\`
prints (base64 DER), DER, or PEM.`;

export async function auditCommand(args: string[], io: CommandIo): Promise<number> {
  // export has options of its own (--format, --endpoint, --force).
  if (args[0] === 'export') return auditExportCommand(args.slice(1), io);
  const { values, positionals } = parseFlags('audit', args, {
    repo: { type: 'string' },
    'audit-dir': { type: 'string' },
    key: { type: 'string' },
    json: { type: 'boolean' },
    decrypt: { type: 'boolean' },
    'master-key': { type: 'string' },
    database: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const [action, ...rest] = positionals;
  if (values.help) {
    io.stdout(`${AUDIT_HELP}\n`);
    return 0;
  }
  if (!action) {
    throw new WardenError('usage', 'audit needs an action: verify, show, prove or export', {
      hint: 'see: warden audit --help',
    });
  }
  const dir = auditDir(locateRepo(values.repo, io.cwd).root, values['audit-dir'], io.cwd);
  const keyFile = values.key ? resolve(io.cwd, values.key) : join(auditKeyDir(io.env), PUBLIC_KEY_FILE);
  const publicKey = () => readPublicKey(keyFile);
  const logFile = (name: string) => namedLog(name, dir, io.cwd);

  if (action === 'verify' && values.database) {
    return verifyInDatabase(values.database, rest, await publicKey(), values.json === true, io);
  }
  if (action === 'verify') {
    const files = namedLogs(rest, dir, io.cwd);
    const key = await publicKey();
    let bad = 0;
    for (const file of files) {
      const result = await verifyAuditLog(file, { publicKey: key });
      const name = basename(file);
      if (!report(result, name, file, values.json === true, io)) bad += 1;
    }
    return bad === 0 ? 0 : 1;
  }
  if (action === 'show') {
    const [session] = rest;
    if (!session) throw new WardenError('usage', 'which session?', { hint: 'warden audit show SESSION' });
    const file = logFile(session);
    let decryptor: LogDecryptor | undefined;
    if (values.decrypt || values['master-key']) {
      const masterKey = values['master-key'];
      decryptor = createLogDecryptor(
        masterKey
          ? await keyWrapperFromFile(resolve(io.cwd, masterKey))
          : // A data key sealed in KMS is opened there; a local one with the master key beside the signing key.
            recordedKeyOpener(() => createLocalKeyWrapper({ keyDir: auditKeyDir(io.env), create: false })),
      );
    }
    let failed = 0;
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (!line.trim()) continue;
      let record: AuditRecord;
      try {
        record = JSON.parse(line) as AuditRecord;
      } catch {
        io.stdout(`  ???  unreadable line (run warden audit verify)\n`);
        continue;
      }
      const head = `${String(record.seq).padStart(5)}  ${record.time}  ${forTerminal(String(record.type).padEnd(18))}`;
      let text: string;
      try {
        text = await describe(record, decryptor);
      } catch (error) {
        // Never show what did not authenticate: a wrong key or an altered ciphertext is named.
        failed += 1;
        text = `!! cannot decrypt: ${error instanceof WardenError ? error.message : String(error)}`;
      }
      io.stdout(`${head} ${forTerminal(text)}\n`);
    }
    if (failed > 0) io.stderr(`${failed} record(s) could not be decrypted\n`);
    return failed > 0 ? 1 : 0;
  }
  if (action === 'prove') {
    const [session, seqText, extra] = rest;
    const seq = seqText !== undefined && /^\d{1,15}$/.test(seqText) ? Number(seqText) : Number.NaN;
    if (!session || !Number.isSafeInteger(seq) || extra !== undefined) {
      throw new WardenError('usage', 'prove takes a session (or log file) and a record number', {
        hint: 'warden audit prove SESSION SEQ, e.g. warden audit prove s20260101-1a2b3c4d 12',
      });
    }
    const proof = await proveInclusion(logFile(session), seq);
    const verified = verifyInclusion(proof, await publicKey());
    io.stdout(`${JSON.stringify(proof)}\n`);
    io.stderr(
      `record ${seq} ${verified ? 'is' : 'is NOT'} included under the signed digest at record ${proof.digest.seq}\n`,
    );
    return verified ? 0 : 1;
  }
  throw new WardenError('usage', `unknown audit action "${action}"`, {
    hint: 'use verify, show, prove or export',
  });
}

async function describe(record: AuditRecord, decryptor: LogDecryptor | undefined): Promise<string> {
  const data = decryptor ? await decryptor.open(record) : record.data;
  if (record.type === KEY_TYPE) {
    const sealed = record.data as { alg?: unknown; keyId?: unknown };
    return sealed.alg === 'aws-kms'
      ? `data key sealed by the AWS KMS key ${String(sealed.keyId)}`
      : 'data key sealed by the master key';
  }
  if (decryptor) return summary(data as Record<string, unknown>);
  return asEncryptedPayload(record.data) ? '[encrypted]' : summary(record.data as Record<string, unknown>);
}

/** One line of what a record says: the fields a reader looks for first. */
function summary(data: Record<string, unknown>): string {
  if (typeof data !== 'object' || data === null) return '';
  const pick = [
    'server',
    'status',
    'tool',
    'decision',
    'command',
    'path',
    'host',
    'reason',
    'rule',
    'source',
    'detail',
    'task',
    'model',
    'lastSeq',
  ];
  return pick
    .filter((key) => data[key] !== undefined && typeof data[key] !== 'object')
    .map((key) => `${key}=${String(data[key]).split('\n', 1)[0]?.slice(0, 80)}`)
    .join(' ');
}

/** Prints one log's verdict; true when it is intact. */
function report(result: VerifyResult, name: string, source: string, json: boolean, io: CommandIo): boolean {
  if (json) {
    io.stdout(
      `${JSON.stringify({ file: source, ...(result.ok ? { ok: true, records: result.records, digests: result.digests } : { ok: false, firstBad: result.firstBad, message: result.message }) })}\n`,
    );
  } else if (result.ok) {
    io.stdout(`intact  ${name}  ${result.records} records, ${result.digests} signed digests\n`);
  } else {
    const where =
      result.firstBad.seq === undefined
        ? `line ${result.firstBad.line}`
        : `record ${result.firstBad.seq} (line ${result.firstBad.line})`;
    io.stdout(`BROKEN  ${name}  ${where}: ${result.firstBad.check} — ${forTerminal(result.message)}\n`);
  }
  return result.ok;
}

/** The logs a PostgreSQL-mode server's workers wrote, read from its database and checked here. */
async function verifyInDatabase(
  url: string,
  sessions: string[],
  publicKey: string,
  json: boolean,
  io: CommandIo,
): Promise<number> {
  const pool = await openDatabase(url, { max: 2, applicationName: 'warden audit', migrate: false }).catch(
    (error: unknown) => {
      // openDatabase speaks of the environment variable; here the URL came from --database.
      if (error instanceof WardenError && error.where === 'WARDEN_DATABASE_URL')
        throw new WardenError(error.code, error.message, {
          where: '--database',
          ...(error.hint ? { hint: error.hint } : {}),
        });
      throw error;
    },
  );
  try {
    const names = sessions.length > 0 ? sessions : await listPgAuditSessions(pool);
    if (names.length === 0) throw new WardenError('audit.none', 'no audit logs in the database');
    let bad = 0;
    for (const session of names) {
      const bytes = await readPgAuditLog(pool, session);
      if (!bytes)
        throw new WardenError('audit.none', `no audit log for session "${session}" in the database`);
      const result = verifyAuditBytes(bytes, { publicKey, session });
      if (!report(result, session, `database:${session}`, json, io)) bad += 1;
    }
    return bad === 0 ? 0 : 1;
  } finally {
    await pool.end();
  }
}
