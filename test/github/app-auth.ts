/**
 * How GitHub authenticates a GitHub App: a JWT (RS256, signed by the App's private key, `iss` the
 * App id, at most ten minutes long) for the App's own routes, and installation tokens (`ghs_…`,
 * one hour, scoped to repositories and permissions) for everything else. The rules and the
 * messages are GitHub's, so a client that gets them wrong here gets them wrong there.
 */
import { createPublicKey, createVerify, type KeyObject, randomBytes } from 'node:crypto';

export type PermissionLevel = 'read' | 'write' | 'admin';
export type Permissions = Record<string, PermissionLevel>;

export interface InstallationToken {
  token: string;
  installationId: number;
  /** Full names (`owner/repo`) the token reaches, or every repository of the installation. */
  repositories: 'all' | string[];
  permissions: Permissions;
  expiresAt: number;
}

export type AuthResult =
  | { kind: 'none' }
  | { kind: 'jwt'; appId: number }
  | { kind: 'installation'; token: InstallationToken }
  | { kind: 'rejected'; status: 401; message: string };

const JWT_UNDECODABLE = 'A JSON web token could not be decoded';
const EXP_TOO_FAR = "'Expiration time' claim ('exp') is too far in the future";
const EXP_PAST =
  "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
const IAT_FUTURE =
  "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";

function base64urlJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** GitHub's checks of an App JWT, in GitHub's order: decode and signature, issuer, times. */
export function verifyAppJwt(
  jwt: string,
  app: { id: number; publicKey: KeyObject },
  nowSeconds: number,
): { ok: true } | { ok: false; message: string } {
  const parts = jwt.split('.');
  if (parts.length !== 3) return { ok: false, message: JWT_UNDECODABLE };
  let header: { alg?: unknown };
  let claims: { iss?: unknown; iat?: unknown; exp?: unknown };
  try {
    header = base64urlJson(parts[0] ?? '') as typeof header;
    claims = base64urlJson(parts[1] ?? '') as typeof claims;
  } catch {
    return { ok: false, message: JWT_UNDECODABLE };
  }
  if (header.alg !== 'RS256' || !claims || typeof claims !== 'object')
    return { ok: false, message: JWT_UNDECODABLE };
  if (claims.iss === undefined) return { ok: false, message: "Missing 'issuer' claim ('iss') in assertion" };
  const iss = typeof claims.iss === 'string' && /^\d+$/.test(claims.iss) ? Number(claims.iss) : claims.iss;
  if (typeof iss !== 'number' || !Number.isInteger(iss))
    return { ok: false, message: "'Issuer' claim ('iss') must be an Integer" };
  // Another App's id: GitHub checks the signature against that App's key, which this key is not.
  if (iss !== app.id) return { ok: false, message: JWT_UNDECODABLE };
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${parts[0]}.${parts[1]}`);
  if (!verifier.verify(app.publicKey, Buffer.from(parts[2] ?? '', 'base64url')))
    return { ok: false, message: JWT_UNDECODABLE };
  const { iat, exp } = claims;
  if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > nowSeconds + 60)
    return { ok: false, message: IAT_FUTURE };
  if (typeof exp !== 'number' || !Number.isInteger(exp) || exp <= nowSeconds)
    return { ok: false, message: EXP_PAST };
  if (exp - iat > 600 || exp > nowSeconds + 600) return { ok: false, message: EXP_TOO_FAR };
  return { ok: true };
}

export function publicKeyOf(privateKeyPem: string): KeyObject {
  return createPublicKey(privateKeyPem);
}

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function newInstallationToken(): string {
  const bytes = randomBytes(36);
  return `ghs_${Array.from(bytes, (b) => TOKEN_ALPHABET[b % TOKEN_ALPHABET.length]).join('')}`;
}

const levels: Record<PermissionLevel, number> = { read: 1, write: 2, admin: 3 };

export function permits(granted: Permissions, name: string, needed: PermissionLevel): boolean {
  const have = granted[name];
  return have !== undefined && levels[have] >= levels[needed];
}

/** Reads `Authorization` as GitHub does: `token X` or `Bearer X`, a JWT or an installation token. */
export function authenticate(
  header: string | undefined,
  app: { id: number; publicKey: KeyObject },
  tokens: Map<string, InstallationToken>,
  nowMs: number,
): AuthResult {
  if (!header) return { kind: 'none' };
  const match = /^(?:token|bearer)\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) return { kind: 'rejected', status: 401, message: 'Bad credentials' };
  const credential = match[1];
  if (credential.split('.').length === 3) {
    const verdict = verifyAppJwt(credential, app, Math.floor(nowMs / 1000));
    return verdict.ok
      ? { kind: 'jwt', appId: app.id }
      : { kind: 'rejected', status: 401, message: verdict.message };
  }
  const token = tokens.get(credential);
  if (!token || token.expiresAt <= nowMs)
    return { kind: 'rejected', status: 401, message: 'Bad credentials' };
  return { kind: 'installation', token };
}

/** `x-access-token:<token>` basic auth, as git sends an installation token. */
export function gitBasicToken(header: string | undefined): string | undefined {
  const match = /^basic\s+(\S+)$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}
