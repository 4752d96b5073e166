import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  type AuditRecord,
  asEncryptedPayload,
  auditLogPath,
  createLocalKeyWrapper,
  createLogDecryptor,
  KEY_TYPE,
  keyWrapperFromFile,
  type LogDecryptor,
  PUBLIC_KEY_FILE,
  proveInclusion,
  verifyAuditLog,
  verifyInclusion,
} from '../audit/index.ts';
import { WardenError } from '../errors.ts';
import { parseFlags } from './args.ts';
import { auditExportCommand } from './audit-export.ts';
import { auditDir, auditKeyDir } from './audit-paths.ts';
import type { CommandIo } from './main.ts';
import { locateRepo } from './repo.ts';
import { forTerminal } from './terminal.ts';

export const AUDIT_HELP = `Usage: warden audit verify [SESSION|FILE…] [--audit-dir DIR] [--key PEM] [--json]
       warden audit show SESSION [--audit-dir DIR] [--decrypt [--master-key FILE]]
       warden audit prove SESSION SEQ [--audit-dir DIR] [--key PEM]
       warden audit export SESSION --format jsonl|otlp [--endpoint URL] [--force]

verify checks every record's hash, the chain, and each signed digest (its signature, Merkle root and
chain), and that the log ends with its final digest: exit 0 when every log is intact, 1 naming the
first bad record and the check that failed. With no SESSION, every log in the directory.
show prints a session's audit timeline; payloads that carry code, prompts or outputs are stored
encrypted and shown as [encrypted] unless --decrypt opens them with the master key (default
audit-master.key beside the signing key). prove prints an inclusion proof for one record that
verifies against its signed digest alone.

The public key defaults to the one beside Warden's signing key (~/.local/state/warden/keys).`;

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
    help: { type: 'boolean', short: 'h' },
  });
  const [action, ...rest] = positionals;
  if (values.help || !action) {
    io.stdout(`${AUDIT_HELP}\n`);
    return values.help ? 0 : 2;
  }
  const dir = auditDir(locateRepo(values.repo, io.cwd).root, values['audit-dir'], io.cwd);
  const keyFile = values.key ? resolve(io.cwd, values.key) : join(auditKeyDir(io.env), PUBLIC_KEY_FILE);
  const publicKey = async () => {
    try {
      return await readFile(keyFile, 'utf8');
    } catch {
      throw new WardenError('audit.key', `no public key at ${keyFile}`, {
        hint: 'pass the verifying key with --key PEM',
      });
    }
  };
  const logFile = (name: string) =>
    name.endsWith('.jsonl') || name.includes('/') ? resolve(io.cwd, name) : auditLogPath(dir, name);

  if (action === 'verify') {
    const files = rest.length > 0 ? rest.map(logFile) : await allLogs(dir);
    if (files.length === 0) throw new WardenError('audit.none', `no audit logs in ${dir}`);
    const key = await publicKey();
    let bad = 0;
    for (const file of files) {
      const result = await verifyAuditLog(file, { publicKey: key });
      const name = basename(file);
      if (values.json) {
        io.stdout(
          `${JSON.stringify({ file, ...(result.ok ? { ok: true, records: result.records, digests: result.digests } : { ok: false, firstBad: result.firstBad, message: result.message }) })}\n`,
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
      if (!result.ok) bad += 1;
    }
    return bad === 0 ? 0 : 1;
  }
  if (action === 'show') {
    const [session] = rest;
    if (!session) throw new WardenError('usage', 'which session?', { hint: 'warden audit show SESSION' });
    const file = logFile(session);
    if (!existsSync(file)) throw new WardenError('audit.none', `no audit log at ${file}`);
    let decryptor: LogDecryptor | undefined;
    if (values.decrypt || values['master-key']) {
      const masterKey = values['master-key'];
      decryptor = createLogDecryptor(
        masterKey
          ? await keyWrapperFromFile(resolve(io.cwd, masterKey))
          : await createLocalKeyWrapper({ keyDir: auditKeyDir(io.env), create: false }),
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
    const [session, seqText] = rest;
    const seq = Number(seqText);
    if (!session || !Number.isSafeInteger(seq))
      throw new WardenError('usage', 'warden audit prove SESSION SEQ');
    const proof = await proveInclusion(logFile(session), seq);
    const verified = verifyInclusion(proof, await publicKey());
    io.stdout(`${JSON.stringify(proof)}\n`);
    io.stderr(
      `record ${seq} ${verified ? 'is' : 'is NOT'} included under the signed digest at record ${proof.digest.seq}\n`,
    );
    return verified ? 0 : 1;
  }
  throw new WardenError('usage', `unknown audit action "${action}"`, { hint: 'use verify, show or prove' });
}

async function allLogs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((name) => name.endsWith('.audit.jsonl'))
      .sort()
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

async function describe(record: AuditRecord, decryptor: LogDecryptor | undefined): Promise<string> {
  const data = decryptor ? await decryptor.open(record) : record.data;
  if (record.type === KEY_TYPE) return 'data key sealed by the master key';
  if (decryptor) return summary(data as Record<string, unknown>);
  return asEncryptedPayload(record.data) ? '[encrypted]' : summary(record.data as Record<string, unknown>);
}

/** One line of what a record says: the fields a reader looks for first. */
function summary(data: Record<string, unknown>): string {
  if (typeof data !== 'object' || data === null) return '';
  const pick = [
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
