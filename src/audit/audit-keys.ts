import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLocalKeyWrapper, type KeyWrapper, MASTER_KEY_FILE } from './key-wrapper.ts';
import type { KmsKeyConfig } from './kms-client.ts';
import { createKmsKeyWrapper } from './kms-key-wrapper.ts';
import { createKmsSigner } from './kms-signer.ts';
import { createLocalSigner, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, type Signer, toPublicKey } from './signer.ts';

/** Which audit keys live in AWS KMS; each one left out is a file in the key directory, as by default. */
export type AuditKeysConfig = { signer?: KmsKeyConfig; keyWrapper?: KmsKeyConfig };

/** Where a process's audit signing key and payload master key are: files, a KMS, or one of each. */
export type AuditKeys = {
  signer(): Promise<Signer>;
  wrapper(): Promise<KeyWrapper>;
  /** The signing key's public half, to verify the logs this process wrote. */
  publicKey(): Promise<KeyObject>;
  /** Makes the local key files and reaches KMS now, so a wrong credential fails a start, not a task. */
  prepare(): Promise<void>;
  /** The key files this process needs in its key directory: none when both keys are in KMS. */
  localFiles: string[];
  /** Whether either key is in KMS. */
  inKms: boolean;
};

export function openAuditKeys(keyDir: string, config: AuditKeysConfig = {}): AuditKeys {
  const kmsSigner = config.signer;
  const kmsWrapper = config.keyWrapper;
  // One GetPublicKey per process; a failure is not kept, so the next session tries again.
  let signing: Promise<Signer> | undefined;
  const signer = (): Promise<Signer> => {
    if (!kmsSigner) return createLocalSigner({ keyDir });
    signing ??= createKmsSigner(kmsSigner).catch((error) => {
      signing = undefined;
      throw error;
    });
    return signing;
  };
  const wrapping = kmsWrapper ? createKmsKeyWrapper(kmsWrapper) : undefined;
  const wrapper = async (): Promise<KeyWrapper> => wrapping ?? createLocalKeyWrapper({ keyDir });
  return {
    signer,
    wrapper,
    async publicKey() {
      if (kmsSigner) return toPublicKey((await signer()).publicKey);
      return toPublicKey(await readFile(join(keyDir, PUBLIC_KEY_FILE), 'utf8'));
    },
    async prepare() {
      await signer();
      const sealing = await wrapper();
      if (wrapping) {
        // Both halves of envelope encryption, as a session will use them: GenerateDataKey and Decrypt.
        const { wrapped } = await sealing.newDataKey('warden-start');
        await sealing.unwrap(wrapped, 'warden-start');
      }
    },
    localFiles: [...(kmsSigner ? [] : [PRIVATE_KEY_FILE]), ...(kmsWrapper ? [] : [MASTER_KEY_FILE])],
    inKms: kmsSigner !== undefined || kmsWrapper !== undefined,
  };
}

/** The keys an audit setting names: its own, else the files in its key directory. */
export function auditKeysOf(audit: { keyDir: string; keys?: AuditKeys }): AuditKeys {
  return audit.keys ?? openAuditKeys(audit.keyDir);
}
