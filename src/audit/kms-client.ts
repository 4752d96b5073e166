import { KMSClient } from '@aws-sdk/client-kms';
import { WardenError } from '../errors.ts';

/** One key in AWS KMS: its id, ARN or alias, and where to reach KMS (default: the SDK's own choice). */
export type KmsKeyConfig = {
  keyId: string;
  region?: string;
  /** Another endpoint than AWS's (a VPC endpoint, FIPS, a test server). */
  endpoint?: string;
  /** Where the key is configured, for messages (`server.yaml:42:5`). */
  where?: string;
};

/** A client with the default AWS credential chain (environment, profile, SSO, web identity, instance role). */
export function kmsClient(config: KmsKeyConfig): KMSClient {
  return new KMSClient({
    ...(config.region ? { region: config.region } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    // A KMS that does not answer must fail a start or a session, not hang it.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
    maxAttempts: 3,
  });
}

const CREDENTIALS = new Set([
  'CredentialsProviderError',
  'InvalidSignatureException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'IncompleteSignature',
]);

const HINTS: Record<string, string> = {
  AccessDeniedException: 'the key policy or an IAM policy must allow this principal the operation on the key',
  NotFoundException: 'no such key in this account and region: check kms_key_id and region',
  DisabledException: 'the key is disabled: enable it in KMS',
  KMSInvalidStateException: 'the key is not usable now (pending deletion or import)',
  InvalidKeyUsageException:
    'signer: needs an asymmetric SIGN_VERIFY key (ECC_NIST_P256 or ECC_NIST_EDWARDS25519); key_wrapper: a symmetric ENCRYPT_DECRYPT key',
  UnsupportedOperationException:
    'signer: needs an asymmetric SIGN_VERIFY key (ECC_NIST_P256 or ECC_NIST_EDWARDS25519); key_wrapper: a symmetric ENCRYPT_DECRYPT key',
};

/**
 * What went wrong with a KMS call, in one line a person can act on: the operation, the key, KMS's
 * own words, and what to check. Never a stack: the SDK's error stays as the cause.
 */
export function kmsError(operation: string, config: KmsKeyConfig, error: unknown): WardenError {
  if (error instanceof WardenError) return error;
  const name = (error as { name?: unknown })?.name;
  const code = typeof name === 'string' ? name : 'Error';
  const message = oneLine((error as { message?: unknown })?.message);
  let hint = HINTS[code];
  if (CREDENTIALS.has(code)) {
    hint =
      'check the AWS credentials Warden runs with (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the instance or pod role)';
  } else if (/region/i.test(message) && /missing/i.test(message)) {
    hint = 'set region: beside kms_key_id, or AWS_REGION in the environment';
  } else if (hint === undefined && isNetwork(error)) {
    hint = `cannot reach KMS${config.endpoint ? ` at ${config.endpoint}` : ''}: check the network and endpoint`;
  }
  return new WardenError(
    'audit.kms',
    `AWS KMS ${operation} with key ${config.keyId} failed: ${code}: ${message}`,
    {
      ...(config.where ? { where: config.where } : {}),
      ...(hint ? { hint } : {}),
      cause: error,
    },
  );
}

/** Runs one KMS call, its failure turned into a `kmsError`. */
export async function kmsCall<T>(
  operation: string,
  config: KmsKeyConfig,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw kmsError(operation, config, error);
  }
}

function isNetwork(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return (
    typeof code === 'string' &&
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN'].includes(code)
  );
}

function oneLine(value: unknown): string {
  const text = typeof value === 'string' && value.trim() !== '' ? value : 'no message';
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
