export { canonicalJson } from './canonical-json.ts';
export {
  createLocalKeyWrapper,
  type KeyWrapper,
  keyWrapperFromFile,
  MASTER_KEY_FILE,
  type WrappedKey,
} from './key-wrapper.ts';
export { type AuditLock, acquireLock } from './lock.ts';
export { createLogDecryptor, type LogDecryptor } from './log-decryptor.ts';
export { leafHash, merklePath, merkleRoot, nodeHash, type PathStep, rootFromPath } from './merkle.ts';
export {
  type AuditEncryption,
  asEncryptedPayload,
  asKeyRecordData,
  decryptPayload,
  type EncryptedPayload,
  encryptPayload,
  type KeyRecordData,
  payloadAad,
  SENSITIVE_TYPES,
} from './payload-cipher.ts';
export { type InclusionProof, proveInclusion, verifyInclusion } from './prove.ts';
export {
  type AuditRecord,
  DIGEST_TYPE,
  type DigestBody,
  type DigestData,
  digestSigningBytes,
  KEY_TYPE,
  OPENED_TYPE,
  RECOVERED_TYPE,
  recordHash,
  ZERO_HASH,
} from './record.ts';
export { type SignatureScheme, schemeOf, verifySignature } from './signature.ts';
export {
  createLocalSigner,
  keyIdOf,
  PRIVATE_KEY_FILE,
  PUBLIC_KEY_FILE,
  type Signer,
  toPublicKey,
} from './signer.ts';
export {
  type AuditStorage,
  fileStorage,
  type OpenAuditStorage,
  type StoredLine,
} from './storage.ts';
export {
  type VerifyCheck,
  type VerifyOptions,
  type VerifyResult,
  verifyAuditBytes,
  verifyAuditLog,
} from './verify.ts';
export {
  type AuditLog,
  type AuditLogOptions,
  type AuditLogStats,
  auditLogPath,
  type Durability,
  openAuditLog,
} from './writer.ts';
