import { z } from 'zod';
import type { AuditKeysConfig } from '../audit/audit-keys.ts';
import type { KmsKeyConfig } from '../audit/kms-client.ts';
import { WardenError } from '../errors.ts';
import { type ConfigLayer, readConfigLayer } from '../models/config.ts';

const kmsKey = z.strictObject({
  kms_key_id: z
    .string({ error: 'names a key id, key ARN or alias/NAME' })
    .min(1, 'names a key id, key ARN or alias/NAME'),
  region: z
    .string()
    .regex(/^[a-z]{2}(?:-[a-z]+)+-\d+$/, 'is an AWS region such as eu-west-1')
    .optional(),
  endpoint: z.url().optional(),
});

const schema = z.strictObject({ signer: kmsKey.optional(), key_wrapper: kmsKey.optional() });

export const AUDIT_KEYS_TEMPLATE = `
# The audit keys in AWS KMS instead of files under DATA/keys (default credential chain: environment,
# profile, SSO, web identity, instance role); either may be left out. See README, "Keys in AWS KMS".
# audit_keys:
#   signer: { kms_key_id: alias/warden-audit-signing, region: eu-west-1 }   # ECC_NIST_P256, SIGN_VERIFY
#   key_wrapper: { kms_key_id: alias/warden-audit-data }                     # symmetric, ENCRYPT_DECRYPT
`;

/** The `audit_keys:` section, checked; undefined when there is none (both keys are files). */
export function parseAuditKeysConfig(raw: unknown, file: string): AuditKeysConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  let layer: ConfigLayer | undefined;
  const locate = (path: readonly PropertyKey[]) => {
    layer ??= readConfigLayer(file, 'user');
    return layer.locate?.(['audit_keys', ...path]) ?? file;
  };
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = issue?.path ?? [];
    const unknown = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const named = ['audit_keys', ...path, ...(unknown === undefined ? [] : [unknown])].join('.');
    throw new WardenError(
      'server.config',
      unknown === undefined ? `${named} ${issue?.message}` : `"${named}" is not a known key`,
      {
        where: locate(unknown === undefined ? path : [...path, unknown]),
        hint: 'audit_keys: takes signer and key_wrapper, each { kms_key_id, region?, endpoint? }',
      },
    );
  }
  const key = (name: 'signer' | 'key_wrapper'): KmsKeyConfig | undefined => {
    const entry = parsed.data[name];
    if (entry === undefined) return undefined;
    return {
      keyId: entry.kms_key_id,
      ...(entry.region ? { region: entry.region } : {}),
      ...(entry.endpoint ? { endpoint: entry.endpoint } : {}),
      where: locate([name]),
    };
  };
  const signer = key('signer');
  const keyWrapper = key('key_wrapper');
  return { ...(signer ? { signer } : {}), ...(keyWrapper ? { keyWrapper } : {}) };
}
