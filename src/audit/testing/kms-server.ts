/**
 * A loopback AWS KMS for tests, speaking KMS's wire protocol (AWS JSON 1.1: `POST /`,
 * `X-Amz-Target: TrentService.<Operation>`, blobs in base64) for the four operations Warden uses:
 * GetPublicKey, Sign, GenerateDataKey and Decrypt. Every request must carry a SigV4 signature that
 * is recomputed here with the AWS SDK's own signer; errors are worded and typed as KMS words them.
 * It holds real keys (node:crypto): signatures verify and ciphertext blobs open only here.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { canonicalJson } from '../canonical-json.ts';
import { signDigestP256 } from './p256-digest-sign.ts';
import { checkSigV4, KmsFault } from './sigv4-check.ts';

export type FakeKmsKeySpec = 'ECC_NIST_P256' | 'ECC_NIST_EDWARDS25519' | 'SYMMETRIC_DEFAULT';

type Key =
  | {
      arn: string;
      spec: 'ECC_NIST_P256' | 'ECC_NIST_EDWARDS25519';
      privateKey: KeyObject;
      publicKey: KeyObject;
    }
  | { arn: string; spec: 'SYMMETRIC_DEFAULT'; material: Buffer };

export type KmsCallSeen = {
  operation: string;
  /** The SigV4 check passed. */
  authorized: boolean;
  keyId?: string;
  encryptionContext?: Record<string, string>;
  error?: string;
};

export interface FakeKms {
  /** `http://127.0.0.1:<port>` */
  url: string;
  region: string;
  /** Makes a key, reachable by its id, its ARN and `alias/<alias>`; returns its ARN. */
  createKey(spec: FakeKmsKeySpec, alias?: string): string;
  /** The public half of an asymmetric key, as `aws kms get-public-key` hands it out (SPKI DER). */
  publicKeyDer(keyId: string): Buffer;
  calls: KmsCallSeen[];
  close(): Promise<void>;
}

const ACCOUNT = '111122223333';

export async function startFakeKms(options: {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  region?: string;
}): Promise<FakeKms> {
  const region = options.region ?? 'eu-west-1';
  const keys = new Map<string, Key>();
  const aliases = new Map<string, string>();
  const calls: KmsCallSeen[] = [];

  const find = (keyId: unknown): Key => {
    if (typeof keyId !== 'string' || keyId === '')
      throw new KmsFault('ValidationException', 'KeyId is required');
    const alias = /^(?:arn:aws:kms:[^:]+:\d+:)?(alias\/.+)$/.exec(keyId)?.[1];
    const arn = alias
      ? aliases.get(alias)
      : keyId.startsWith('arn:')
        ? keyId
        : `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;
    const key = arn === undefined ? undefined : keys.get(arn);
    if (!key) throw new KmsFault('NotFoundException', `Key '${keyId}' does not exist`);
    return key;
  };

  const operations: Record<string, (input: Record<string, unknown>, seen: KmsCallSeen) => unknown> = {
    GetPublicKey(input) {
      const key = find(input.KeyId);
      if (key.spec === 'SYMMETRIC_DEFAULT') {
        throw new KmsFault(
          'UnsupportedOperationException',
          `${key.arn} key usage is ENCRYPT_DECRYPT which is not valid for GetPublicKey.`,
        );
      }
      return {
        KeyId: key.arn,
        KeySpec: key.spec,
        CustomerMasterKeySpec: key.spec,
        KeyUsage: 'SIGN_VERIFY',
        PublicKey: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        SigningAlgorithms:
          key.spec === 'ECC_NIST_P256' ? ['ECDSA_SHA_256'] : ['ED25519_SHA_512', 'ED25519_PH_SHA_512'],
      };
    },
    Sign(input) {
      const key = find(input.KeyId);
      if (key.spec === 'SYMMETRIC_DEFAULT') {
        throw new KmsFault(
          'InvalidKeyUsageException',
          `${key.arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.`,
        );
      }
      const message = blob(input.Message, 'Message');
      const type = input.MessageType ?? 'RAW';
      const algorithm = input.SigningAlgorithm;
      const allowed = key.spec === 'ECC_NIST_P256' ? 'ECDSA_SHA_256' : 'ED25519_SHA_512';
      if (algorithm !== allowed) {
        throw new KmsFault(
          'InvalidKeyUsageException',
          `Algorithm ${String(algorithm)} is incompatible with key spec ${key.spec}.`,
        );
      }
      let signature: Buffer;
      if (type === 'RAW') {
        if (message.length > 4096)
          throw new KmsFault('ValidationException', 'Message must be at most 4096 bytes');
        signature = sign(key.spec === 'ECC_NIST_P256' ? 'sha256' : null, message, key.privateKey);
      } else if (type === 'DIGEST' && key.spec === 'ECC_NIST_P256') {
        if (message.length !== 32)
          throw new KmsFault('ValidationException', 'Digest is invalid length for algorithm ECDSA_SHA_256.');
        signature = signDigestP256(key.privateKey, message);
      } else {
        throw new KmsFault(
          'ValidationException',
          `MessageType ${String(type)} is not valid with ${String(algorithm)}`,
        );
      }
      return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: algorithm };
    },
    GenerateDataKey(input, seen) {
      const key = symmetric(find(input.KeyId), 'GenerateDataKey');
      if (input.KeySpec !== 'AES_256' && input.NumberOfBytes !== 32) {
        throw new KmsFault('ValidationException', 'Please specify either number of bytes or key spec.');
      }
      const context = contextOf(input.EncryptionContext);
      seen.encryptionContext = context;
      const plaintext = randomBytes(32);
      return {
        KeyId: key.arn,
        Plaintext: plaintext.toString('base64'),
        CiphertextBlob: seal(key, plaintext, context).toString('base64'),
      };
    },
    Decrypt(input, seen) {
      const context = contextOf(input.EncryptionContext);
      seen.encryptionContext = context;
      const sealed = blob(input.CiphertextBlob, 'CiphertextBlob');
      const { arn, iv, tag, ct } = parseBlob(sealed);
      const key = keys.get(arn);
      if (!key) throw new KmsFault('InvalidCiphertextException', '');
      if (input.KeyId !== undefined && find(input.KeyId).arn !== arn) {
        throw new KmsFault(
          'IncorrectKeyException',
          'The key ID in the request does not identify a CMK that can perform this operation.',
        );
      }
      const material = symmetric(key, 'Decrypt').material;
      try {
        const decipher = createDecipheriv('aes-256-gcm', material, iv);
        decipher.setAAD(Buffer.from(canonicalJson(context)));
        decipher.setAuthTag(tag);
        const plaintext = Buffer.concat([decipher.update(ct), decipher.final()]);
        return {
          KeyId: arn,
          Plaintext: plaintext.toString('base64'),
          EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        };
      } catch {
        throw new KmsFault('InvalidCiphertextException', '');
      }
    },
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('TrentService.') ? target.slice('TrentService.'.length) : target;
    const seen: KmsCallSeen = { operation, authorized: false };
    calls.push(seen);
    try {
      await checkSigV4(request, body, options.credentials, region);
      seen.authorized = true;
      const run = operations[operation];
      if (request.method !== 'POST' || request.url !== '/' || !run) {
        throw new KmsFault('UnknownOperationException', '');
      }
      if (!String(request.headers['content-type']).startsWith('application/x-amz-json-1.1')) {
        throw new KmsFault('SerializationException', 'Content-Type must be application/x-amz-json-1.1');
      }
      const input = JSON.parse(body) as Record<string, unknown>;
      if (typeof input.KeyId === 'string') seen.keyId = input.KeyId;
      const output = run(input, seen);
      response.writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': randomUUID(),
      });
      response.end(JSON.stringify(output));
    } catch (error) {
      const fault = error instanceof KmsFault ? error : new KmsFault('KMSInternalException', String(error));
      seen.error = fault.type;
      response.writeHead(fault.type === 'KMSInternalException' ? 500 : 400, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': randomUUID(),
      });
      response.end(JSON.stringify({ __type: fault.type, message: fault.message }));
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    region,
    calls,
    createKey(spec, alias) {
      const arn = `arn:aws:kms:${region}:${ACCOUNT}:key/${randomUUID()}`;
      if (spec === 'SYMMETRIC_DEFAULT') keys.set(arn, { arn, spec, material: randomBytes(32) });
      else {
        const pair =
          spec === 'ECC_NIST_P256'
            ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
            : generateKeyPairSync('ed25519');
        keys.set(arn, { arn, spec, ...pair });
      }
      if (alias) aliases.set(`alias/${alias}`, arn);
      return arn;
    },
    publicKeyDer(keyId) {
      const key = find(keyId);
      if (key.spec === 'SYMMETRIC_DEFAULT') throw new Error('a symmetric key has no public half');
      return createPublicKey(key.privateKey).export({ type: 'spki', format: 'der' });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function symmetric(key: Key, operation: string): Extract<Key, { spec: 'SYMMETRIC_DEFAULT' }> {
  if (key.spec !== 'SYMMETRIC_DEFAULT') {
    throw new KmsFault(
      'InvalidKeyUsageException',
      `${key.arn} key usage is SIGN_VERIFY which is not valid for ${operation}.`,
    );
  }
  return key;
}

function blob(value: unknown, name: string): Buffer {
  if (typeof value !== 'string') throw new KmsFault('ValidationException', `${name} is required`);
  return Buffer.from(value, 'base64');
}

function contextOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null)
    throw new KmsFault('ValidationException', 'EncryptionContext is a map');
  return value as Record<string, string>;
}

/** This server's ciphertext blob: the key's ARN, then AES-256-GCM over the data key, the context as AAD. */
function seal(
  key: Extract<Key, { spec: 'SYMMETRIC_DEFAULT' }>,
  plaintext: Buffer,
  context: Record<string, string>,
): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.material, iv);
  cipher.setAAD(Buffer.from(canonicalJson(context)));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const arn = Buffer.from(key.arn);
  return Buffer.concat([Buffer.from([arn.length]), arn, iv, cipher.getAuthTag(), ct]);
}

function parseBlob(sealed: Buffer): { arn: string; iv: Buffer; tag: Buffer; ct: Buffer } {
  const length = sealed[0] ?? 0;
  if (sealed.length < 1 + length + 28) throw new KmsFault('InvalidCiphertextException', '');
  const at = 1 + length;
  return {
    arn: sealed.subarray(1, at).toString(),
    iv: sealed.subarray(at, at + 12),
    tag: sealed.subarray(at + 12, at + 28),
    ct: sealed.subarray(at + 28),
  };
}
