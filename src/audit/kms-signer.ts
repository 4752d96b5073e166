import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import {
  GetPublicKeyCommand,
  type KMSClient,
  type MessageType,
  SignCommand,
  type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { WardenError } from '../errors.ts';
import { type KmsKeyConfig, kmsCall, kmsClient } from './kms-client.ts';
import { keyIdOf, lowS, type SignatureScheme, schemeOf, verifySignature } from './signature.ts';
import type { Signer } from './signer.ts';

/** KMS accepts at most this many bytes of message with MessageType RAW. */
const RAW_LIMIT = 4096;

const SCHEMES: Record<string, { scheme: SignatureScheme; algorithm: SigningAlgorithmSpec }> = {
  ECC_NIST_P256: { scheme: 'ecdsa-p256', algorithm: 'ECDSA_SHA_256' },
  ECC_NIST_EDWARDS25519: { scheme: 'ed25519', algorithm: 'ED25519_SHA_512' },
};

/**
 * A Signer whose private key never leaves AWS KMS: an asymmetric SIGN_VERIFY key, ECC_NIST_P256
 * (ECDSA_SHA_256) or ECC_NIST_EDWARDS25519 (ED25519_SHA_512). The public key is fetched once, here,
 * and the key id derived from it as for a local key; each signature is checked against it before
 * it is used, so an alias moved to another key mid-run cannot slip a foreign signature into a log.
 */
export async function createKmsSigner(
  config: KmsKeyConfig,
  client: KMSClient = kmsClient(config),
): Promise<Signer> {
  const answer = await kmsCall('GetPublicKey', config, () =>
    client.send(new GetPublicKeyCommand({ KeyId: config.keyId })),
  );
  const spec = answer.KeySpec ?? '';
  const chosen = SCHEMES[spec];
  if (answer.KeyUsage !== 'SIGN_VERIFY' || chosen === undefined) {
    throw new WardenError(
      'audit.kms',
      `the KMS key ${config.keyId} is ${spec || 'of an unknown spec'} for ${answer.KeyUsage ?? 'an unknown usage'}: the audit signer needs an ECC_NIST_P256 or ECC_NIST_EDWARDS25519 key for SIGN_VERIFY`,
      {
        ...(config.where ? { where: config.where } : {}),
        hint: 'aws kms create-key --key-spec ECC_NIST_P256 --key-usage SIGN_VERIFY',
      },
    );
  }
  if (answer.SigningAlgorithms && !answer.SigningAlgorithms.includes(chosen.algorithm)) {
    throw new WardenError('audit.kms', `the KMS key ${config.keyId} does not offer ${chosen.algorithm}`, {
      ...(config.where ? { where: config.where } : {}),
    });
  }
  const publicKey = publicKeyOf(answer.PublicKey, config);
  if (schemeOf(publicKey) !== chosen.scheme) {
    throw new WardenError(
      'audit.kms',
      `the public key KMS returned for ${config.keyId} is not a ${spec} key`,
      {
        ...(config.where ? { where: config.where } : {}),
      },
    );
  }
  // Signed with the ARN KMS named, not the alias: the key this signer's id stands for.
  const keyArn = answer.KeyId ?? config.keyId;
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    async sign(bytes) {
      const { message, type } = messageFor(bytes, chosen.scheme, config);
      const signed = await kmsCall('Sign', config, () =>
        client.send(
          new SignCommand({
            KeyId: keyArn,
            Message: message,
            MessageType: type,
            SigningAlgorithm: chosen.algorithm,
          }),
        ),
      );
      const raw = Buffer.from(signed.Signature ?? new Uint8Array());
      // KMS may answer with either of ECDSA's two valid signatures; verifiers take only the low-s one.
      const signature = chosen.scheme === 'ecdsa-p256' ? (lowS(raw) ?? raw) : raw;
      if (!verifySignature(publicKey, bytes, signature)) {
        throw new WardenError(
          'audit.kms',
          `KMS returned a signature that does not verify under the public key of ${config.keyId}`,
          {
            ...(config.where ? { where: config.where } : {}),
            hint: 'was the alias moved to another key? restart Warden to use the new key',
          },
        );
      }
      return signature;
    },
  };
}

function publicKeyOf(der: Uint8Array | undefined, config: KmsKeyConfig): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(der ?? new Uint8Array()), format: 'der', type: 'spki' });
  } catch (error) {
    throw new WardenError('audit.kms', `KMS returned no readable public key for ${config.keyId}`, {
      ...(config.where ? { where: config.where } : {}),
      cause: error,
    });
  }
}

/**
 * Up to 4 KB is signed as it is (RAW). Past that, ECDSA signs the SHA-256 digest (DIGEST), which
 * verifies as a signature of the message; KMS's Ed25519 takes no digest of the plain scheme.
 */
function messageFor(
  bytes: Buffer,
  scheme: SignatureScheme,
  config: KmsKeyConfig,
): { message: Uint8Array; type: MessageType } {
  if (bytes.length <= RAW_LIMIT) return { message: bytes, type: 'RAW' };
  if (scheme === 'ecdsa-p256')
    return { message: createHash('sha256').update(bytes).digest(), type: 'DIGEST' };
  throw new WardenError(
    'audit.kms',
    `a KMS Ed25519 key signs at most ${RAW_LIMIT} bytes, and this message is ${bytes.length}`,
    { ...(config.where ? { where: config.where } : {}), hint: 'use an ECC_NIST_P256 key for the signer' },
  );
}
