import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WardenError } from '../errors.ts';
import { createKeyFile } from './create-key-file.ts';
import { keyIdOf } from './signature.ts';

export { keyIdOf } from './signature.ts';

/** Signs audit digests and receipts. The local key file is the default; kms-signer.ts is the other. */
export type Signer = {
  keyId: string;
  publicKey: KeyObject | string;
  sign(bytes: Buffer): Promise<Buffer>;
};

export const PRIVATE_KEY_FILE = 'audit-ed25519.pem';
export const PUBLIC_KEY_FILE = 'audit-ed25519.pub.pem';

export function toPublicKey(key: KeyObject | string): KeyObject {
  return typeof key === 'string' ? createPublicKey(key) : key;
}

/**
 * An Ed25519 signer whose key lives in `<keyDir>/audit-ed25519.pem` (0600, directory 0700),
 * created on first use. A key file readable by group or others is refused: a key others can
 * read can sign a rewritten log.
 */
export async function createLocalSigner(options: { keyDir: string }): Promise<Signer> {
  const { keyDir } = options;
  const privatePath = join(keyDir, PRIVATE_KEY_FILE);
  await mkdir(keyDir, { recursive: true, mode: 0o700 });
  let privatePem = await readPrivateKey(privatePath);
  if (privatePem === undefined) privatePem = await createPrivateKeyFile(privatePath);
  const privateKey = createPrivateKey(privatePem);
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new WardenError('audit.key_invalid', 'the audit key is not an Ed25519 key', { where: privatePath });
  }
  const publicKey = createPublicKey(privateKey);
  // Always rewritten from the private key, so a tampered .pub.pem cannot mislead a verifier for long.
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  await writeFile(join(keyDir, PUBLIC_KEY_FILE), publicPem, { mode: 0o644 });
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    sign: async (bytes) => sign(null, bytes, privateKey),
  };
}

async function readPrivateKey(path: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WardenError('audit.key_unreadable', `cannot open the audit key: ${(error as Error).message}`, {
      where: path,
      cause: error,
    });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      throw new WardenError('audit.key_invalid', 'the audit key is not a regular file', { where: path });
    }
    if ((stat.mode & 0o077) !== 0) {
      throw new WardenError(
        'audit.key_permissions',
        `the audit key is readable by others (mode ${(stat.mode & 0o777).toString(8)})`,
        { where: path, hint: `run: chmod 600 ${path}` },
      );
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

async function createPrivateKeyFile(path: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  if (await createKeyFile(path, pem)) return pem;
  // Another process created it meanwhile: theirs, rather than overwrite it.
  const theirs = await readPrivateKey(path);
  if (theirs === undefined)
    throw new WardenError('audit.key_missing', 'the audit key vanished as it was made', { where: path });
  return theirs;
}
