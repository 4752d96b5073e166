import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { WardenError } from '../errors.ts';
import type { KeyWrapper, WrappedKey } from './key-wrapper.ts';
import { type KmsKeyConfig, kmsCall, kmsClient, kmsError } from './kms-client.ts';

/**
 * Binds a data key to its log: KMS opens the blob only with the same context, and writes the
 * context to CloudTrail beside every Decrypt, so the trail says whose payloads were opened.
 */
export function encryptionContext(context: string): Record<string, string> {
  return { 'warden:record': 'audit.key', 'warden:log': context };
}

/**
 * Envelope encryption with a symmetric KMS key: each segment's data key comes from GenerateDataKey
 * (AES_256) and is stored as the KMS ciphertext blob; Decrypt opens it, pinned to the configured
 * key. The master key never leaves KMS.
 */
export function createKmsKeyWrapper(config: KmsKeyConfig, client: KMSClient = kmsClient(config)): KeyWrapper {
  return {
    keyId: config.keyId,
    async newDataKey(context) {
      const made = await kmsCall('GenerateDataKey', config, () =>
        client.send(
          new GenerateDataKeyCommand({
            KeyId: config.keyId,
            KeySpec: 'AES_256',
            EncryptionContext: encryptionContext(context),
          }),
        ),
      );
      const dataKey = Buffer.from(made.Plaintext ?? new Uint8Array());
      if (dataKey.length !== 32 || !made.CiphertextBlob || made.CiphertextBlob.length === 0) {
        throw new WardenError(
          'audit.kms',
          `KMS GenerateDataKey with key ${config.keyId} returned no AES-256 key`,
          {
            ...(config.where ? { where: config.where } : {}),
          },
        );
      }
      const wrapped: WrappedKey = {
        alg: 'aws-kms',
        keyId: made.KeyId ?? config.keyId,
        ct: Buffer.from(made.CiphertextBlob).toString('base64'),
      };
      return { dataKey, wrapped };
    },
    async unwrap(wrapped, context) {
      if (wrapped.alg !== 'aws-kms') {
        throw new WardenError(
          'audit.unwrap_failed',
          `the log's data key is sealed by a local master key (${wrapped.keyId}), not by the KMS key ${config.keyId}`,
          { hint: 'open it with that master key: --master-key FILE' },
        );
      }
      try {
        const opened = await client.send(
          new DecryptCommand({
            KeyId: config.keyId,
            CiphertextBlob: Buffer.from(wrapped.ct, 'base64'),
            EncryptionContext: encryptionContext(context),
          }),
        );
        const dataKey = Buffer.from(opened.Plaintext ?? new Uint8Array());
        if (dataKey.length !== 32) throw new Error('KMS returned a plaintext that is not an AES-256 key');
        return dataKey;
      } catch (error) {
        const name = (error as { name?: unknown })?.name;
        if (name === 'InvalidCiphertextException' || name === 'IncorrectKeyException') {
          throw new WardenError(
            'audit.unwrap_failed',
            `the KMS key ${config.keyId} does not open the log's data key (sealed by ${wrapped.keyId}): ${name}`,
            { hint: 'wrong key, or the audit.key record was altered or moved to another log', cause: error },
          );
        }
        throw kmsError('Decrypt', config, error);
      }
    },
  };
}

/**
 * For reading logs (`warden audit show --decrypt`): each data key is opened by what sealed it — a
 * KMS blob through KMS, with the key and region its record names and the default credential chain
 * (AWS_ENDPOINT_URL_KMS for another endpoint), a local one by `local`. It makes no keys.
 */
export function recordedKeyOpener(local: () => Promise<KeyWrapper>): KeyWrapper {
  const kms = new Map<string, KeyWrapper>();
  return {
    keyId: 'as recorded',
    newDataKey: () => Promise.reject(new WardenError('audit.read_only', 'this key opener only opens logs')),
    async unwrap(wrapped, context) {
      if (wrapped.alg !== 'aws-kms') return (await local()).unwrap(wrapped, context);
      let wrapper = kms.get(wrapped.keyId);
      if (!wrapper) {
        const region = /^arn:aws[\w-]*:kms:([a-z0-9-]+):/.exec(wrapped.keyId)?.[1];
        wrapper = createKmsKeyWrapper({ keyId: wrapped.keyId, ...(region ? { region } : {}) });
        kms.set(wrapped.keyId, wrapper);
      }
      return wrapper.unwrap(wrapped, context);
    },
  };
}
