import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';

/**
 * The signature schemes an audit key may use: Ed25519 (the local key file, or a KMS
 * ECC_NIST_EDWARDS25519 key) and ECDSA over P-256 with SHA-256, DER-encoded (a KMS ECC_NIST_P256 key).
 */
export type SignatureScheme = 'ed25519' | 'ecdsa-p256';

/** The scheme a public key verifies with, read from the key itself; undefined for any other key. */
export function schemeOf(key: KeyObject): SignatureScheme | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ecdsa-p256';
  }
  return undefined;
}

/**
 * A stable short name for a public key, so a digest or receipt says which key signed it: the scheme,
 * then a digest of the key. Another kind of key gets its type as prefix, and so never matches.
 */
export function keyIdOf(publicKey: KeyObject | string): string {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const der = key.export({ type: 'spki', format: 'der' });
  const prefix = schemeOf(key) ?? `unsupported-${key.asymmetricKeyType ?? 'key'}`;
  return `${prefix}:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

/**
 * Whether `signature` is the key's over `bytes`. The scheme comes from the trusted key, never from a
 * field of what is checked, so a log cannot pick a weaker check; a key of any other kind verifies nothing.
 */
export function verifySignature(key: KeyObject, bytes: Uint8Array, signature: Uint8Array): boolean {
  try {
    switch (schemeOf(key)) {
      case 'ed25519':
        return verify(null, bytes, key, signature);
      case 'ecdsa-p256':
        return verify('sha256', bytes, { key, dsaEncoding: 'der' }, signature);
      default:
        return false;
    }
  } catch {
    // A malformed signature is not a valid one.
    return false;
  }
}
