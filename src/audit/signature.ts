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

/** The order of P-256's base point. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * A DER ECDSA P-256 signature in its one canonical form: strict DER, s in the lower half of the
 * group order (s and n−s both verify). Undefined when the bytes are not a DER signature.
 */
export function lowS(der: Uint8Array): Buffer | undefined {
  const parsed = parseDer(Buffer.from(der));
  if (!parsed) return undefined;
  const { r, s } = parsed;
  if (r <= 0n || r >= P256_N || s <= 0n || s >= P256_N) return undefined;
  return encodeDer(r, s > P256_N / 2n ? P256_N - s : s);
}

function parseDer(der: Buffer): { r: bigint; s: bigint } | undefined {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  let at = 2;
  const integer = (): bigint | undefined => {
    if (der[at] !== 0x02) return undefined;
    const length = der[at + 1] ?? 0;
    const bytes = der.subarray(at + 2, at + 2 + length);
    if (length === 0 || bytes.length !== length || length > 33) return undefined;
    at += 2 + length;
    return BigInt(`0x${bytes.toString('hex')}`);
  };
  const r = integer();
  const s = integer();
  return r === undefined || s === undefined || at !== der.length ? undefined : { r, s };
}

function encodeDer(r: bigint, s: bigint): Buffer {
  const integer = (value: bigint) => {
    let hex = value.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    let bytes = Buffer.from(hex, 'hex');
    if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
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
        // One signature per message: (r, n−s) verifies too, so only the low-s, strict DER form counts.
        return lowS(signature) !== undefined &&
          Buffer.compare(lowS(signature) as Buffer, Buffer.from(signature)) === 0
          ? verify('sha256', bytes, { key, dsaEncoding: 'der' }, signature)
          : false;
      default:
        return false;
    }
  } catch {
    // A malformed signature is not a valid one.
    return false;
  }
}
