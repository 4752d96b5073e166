import { createPublicKey, type KeyObject } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { auditLogPath, schemeOf } from '../audit/index.ts';
import { fileProblem, WardenError } from '../errors.ts';

/**
 * The audit log a person named on the command line: a session of the audit directory, or a file
 * (a name with a `/` or ending `.jsonl`). Checked here, so that a typo is a one-line answer.
 */
export function namedLog(name: string, dir: string, cwd: string): string {
  const asFile = name.endsWith('.jsonl') || name.includes('/');
  const file = asFile ? resolve(cwd, name) : auditLogPath(dir, name);
  const found = pathKind(file);
  if (found === 'file') return file;
  if (found === 'directory') {
    throw new WardenError('audit.none', `${file} is a directory, not an audit log`, {
      hint: 'warden audit verify DIR checks every log in a directory',
    });
  }
  throw new WardenError(
    'audit.none',
    asFile ? `no audit log at ${file}: it ${found}` : `no audit log for session "${name}" in ${dir}`,
    {
      hint: asFile
        ? 'check the path'
        : 'list the sessions with: warden sessions list (or pass --audit-dir DIR)',
    },
  );
}

/** For verify: each name is a log, or a directory whose every `*.audit.jsonl` is checked. */
export function namedLogs(names: readonly string[], dir: string, cwd: string): string[] {
  if (names.length === 0) return logsIn(dir, 'the audit directory');
  return names.flatMap((name) => {
    const path = resolve(cwd, name);
    return pathKind(path) === 'directory' ? logsIn(path, path) : [namedLog(name, dir, cwd)];
  });
}

function logsIn(dir: string, shown: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ENOENT') throw new WardenError('audit.none', `${dir} ${fileProblem(error)}`);
    names = [];
  }
  const logs = names.filter((name) => name.endsWith('.audit.jsonl')).sort();
  if (logs.length === 0) {
    throw new WardenError(
      'audit.none',
      `no audit logs (*.audit.jsonl) in ${shown === dir ? dir : `${shown}, ${dir}`}`,
      {
        hint: 'name a session or a log file, or pass the directory that holds them with --audit-dir DIR',
      },
    );
  }
  return logs.map((name) => join(dir, name));
}

/** 'file', 'directory', or what is wrong with the path. */
function pathKind(path: string): 'file' | 'directory' | string {
  try {
    const stats = statSync(path);
    return stats.isDirectory() ? 'directory' : 'file';
  } catch (error) {
    return fileProblem(error);
  }
}

/**
 * The verifying key, read and parsed here: a wrong file is the user's to fix, not a crash. PEM, or
 * the SPKI DER that `aws kms get-public-key` returns, raw or in base64 (its `--output text`); always
 * handed on as PEM. Only the kinds audit signatures use are taken.
 */
export async function readPublicKey(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new WardenError('audit.key', `no public key at ${file}: it ${fileProblem(error)}`, {
      hint: 'pass the verifying key with --key PEM',
    });
  }
  const key = parsePublicKey(bytes);
  if (key === undefined) {
    throw new WardenError(
      'audit.key',
      `${file} is not a public key (PEM, or DER from aws kms get-public-key)`,
      {
        hint: "pass the audit key's public half (audit-ed25519.pub.pem beside Warden's signing key, or the KMS key's) with --key PEM",
      },
    );
  }
  if (schemeOf(key) === undefined) {
    throw new WardenError(
      'audit.key',
      `${file} is ${describeKey(key)} key: audit signatures are Ed25519 or ECDSA P-256`,
      { hint: 'a KMS signing key must be ECC_NIST_P256 or ECC_NIST_EDWARDS25519' },
    );
  }
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

function parsePublicKey(bytes: Buffer): KeyObject | undefined {
  const text = bytes.toString('utf8').trim();
  const attempts: Array<() => KeyObject> = [
    () => createPublicKey(text),
    () => createPublicKey({ key: bytes, format: 'der', type: 'spki' }),
    () =>
      createPublicKey({ key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' }),
  ];
  for (const attempt of attempts) {
    try {
      const key = attempt();
      if (key.type === 'public') return key;
    } catch {
      // Not in this form; try the next.
    }
  }
  return undefined;
}

function describeKey(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return `an ${key.asymmetricKeyType?.toUpperCase() ?? 'unknown'}${curve ? ` (${curve})` : ''}`;
}
