import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { WardenError } from '../errors.ts';
import { createKeyFile } from './create-key-file.ts';

/**
 * A data key sealed by the master key, as stored in an `audit.key` record: by the local master key
 * (AES-256-GCM), or by AWS KMS (`ct` is the KMS ciphertext blob, `keyId` the KMS key's ARN).
 */
export type WrappedKey =
  | { alg: 'aes-256-gcm'; keyId: string; iv: string; tag: string; ct: string }
  | { alg: 'aws-kms'; keyId: string; ct: string };

/**
 * Makes and opens per-segment data keys. The local key file is the default; kms-key-wrapper.ts is
 * the other. `context` (the session) is bound to the wrapped key, so it cannot be moved.
 */
export type KeyWrapper = {
  keyId: string;
  /** A fresh 32-byte data key and its sealed form. */
  newDataKey(context: string): Promise<{ dataKey: Buffer; wrapped: WrappedKey }>;
  unwrap(wrapped: WrappedKey, context: string): Promise<Buffer>;
};

export const MASTER_KEY_FILE = 'audit-master.key';

/**
 * A wrapper whose AES-256 master key lives in `<keyDir>/audit-master.key` (base64, 0600), created
 * on first use unless `create` is false. A key file readable by group or others is refused: it
 * opens every encrypted payload.
 */
export async function createLocalKeyWrapper(options: {
  keyDir: string;
  create?: boolean;
}): Promise<KeyWrapper> {
  const path = join(options.keyDir, MASTER_KEY_FILE);
  if (options.create === false) return keyWrapperFromFile(path);
  await mkdir(options.keyDir, { recursive: true, mode: 0o700 });
  const existing = await readMasterKey(path);
  return localWrapper(existing ?? (await createMasterKeyFile(path)), path);
}

/** A wrapper over an existing master key file (e.g. `--master-key FILE`); never creates one. */
export async function keyWrapperFromFile(path: string): Promise<KeyWrapper> {
  const key = await readMasterKey(path);
  if (key === undefined) {
    throw new WardenError('audit.key_missing', 'there is no audit master key', {
      where: path,
      hint: 'pass the key that encrypted this log with --master-key FILE',
    });
  }
  return localWrapper(key, path);
}

function localWrapper(masterKey: Buffer, where: string): KeyWrapper {
  // A digest of the key, not the key: it tells which master key sealed a log without revealing it.
  const keyId = `aes:${createHash('sha256').update('warden-audit-master\0').update(masterKey).digest('hex').slice(0, 16)}`;
  async function wrap(dataKey: Buffer, context: string): Promise<WrappedKey> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
    cipher.setAAD(Buffer.from(`audit.key:${context}`));
    const ct = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    const tag = cipher.getAuthTag();
    return {
      alg: 'aes-256-gcm',
      keyId,
      iv: iv.toString('base64'),
      tag: tag.toString('base64'),
      ct: ct.toString('base64'),
    };
  }
  return {
    keyId,
    async newDataKey(context) {
      const dataKey = randomBytes(32);
      return { dataKey, wrapped: await wrap(dataKey, context) };
    },
    async unwrap(wrapped, context) {
      if (wrapped.alg !== 'aes-256-gcm') {
        throw new WardenError(
          'audit.unwrap_failed',
          `the log's data key is sealed by the KMS key ${wrapped.keyId}, not by a local master key`,
          { where, hint: 'open it where AWS credentials may use that key (kms:Decrypt)' },
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', masterKey, Buffer.from(wrapped.iv, 'base64'));
        decipher.setAAD(Buffer.from(`audit.key:${context}`));
        decipher.setAuthTag(Buffer.from(wrapped.tag, 'base64'));
        return Buffer.concat([decipher.update(Buffer.from(wrapped.ct, 'base64')), decipher.final()]);
      } catch (error) {
        throw new WardenError(
          'audit.unwrap_failed',
          `this master key does not open the log's data key (key ${keyId}, log sealed by ${wrapped.keyId})`,
          { where, hint: 'wrong master key, or the audit.key record was altered', cause: error },
        );
      }
    },
  };
}

async function readMasterKey(path: string): Promise<Buffer | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WardenError(
      'audit.key_unreadable',
      `cannot open the audit master key: ${(error as Error).message}`,
      {
        where: path,
        cause: error,
      },
    );
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new WardenError('audit.key_invalid', 'the audit master key is not a regular file', {
        where: path,
      });
    }
    if ((stat.mode & 0o077) !== 0) {
      throw new WardenError(
        'audit.key_permissions',
        `the audit master key is readable by others (mode ${(stat.mode & 0o777).toString(8)})`,
        { where: path, hint: `run: chmod 600 ${path}` },
      );
    }
    const key = Buffer.from((await handle.readFile('utf8')).trim(), 'base64');
    if (key.length !== 32) {
      throw new WardenError('audit.key_invalid', 'the audit master key is not 32 bytes of base64', {
        where: path,
      });
    }
    return key;
  } finally {
    await handle.close();
  }
}

async function createMasterKeyFile(path: string): Promise<Buffer> {
  const key = randomBytes(32);
  if (await createKeyFile(path, `${key.toString('base64')}\n`)) return key;
  // Another process created it meanwhile: theirs, rather than overwrite it.
  const theirs = await readMasterKey(path);
  if (theirs === undefined)
    throw new WardenError('audit.key_missing', 'the audit master key vanished as it was made', {
      where: path,
    });
  return theirs;
}
