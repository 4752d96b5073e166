import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { WardenError } from '../errors.ts';
import type { AccountStore, Role, TeamRecord } from './account-store.ts';

/** Who is calling: the user behind a valid token, with their role and team. */
export interface Principal {
  userId: string;
  role: Role;
  team: TeamRecord;
  tokenId: string;
}

export interface IssuedToken {
  id: string;
  /** The whole bearer token, shown once: `wdn_<id>_<secret>`. */
  token: string;
  hash: string;
}

const TOKEN_SHAPE = /^wdn_([a-f0-9]{16})_([A-Za-z0-9_-]{43})$/;

/**
 * A new API token: a public id to find its record, and 32 random bytes of secret of which only the
 * SHA-256 is stored, so a copy of the database does not let anyone call the API.
 */
export function issueToken(): IssuedToken {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `wdn_${id}_${secret}`, hash: hashSecret(secret) };
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Users made by single sign-on are `sso:<claim>`; API user ids cannot hold a colon. */
export const SSO_USER_PREFIX = 'sso:';

/** The principal for an `Authorization` header, or a 401 naming what is wrong with it. */
export async function authenticate(header: string | undefined, accounts: AccountStore): Promise<Principal> {
  const refuse = (message: string) =>
    new WardenError('auth.unauthenticated', message, {
      hint: 'send Authorization: Bearer <token>; an admin creates tokens with POST /v1/tokens',
    });
  if (!header) throw refuse('no Authorization header');
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw refuse('the Authorization header is not "Bearer <token>"');
  const parts = TOKEN_SHAPE.exec(match[1] ?? '');
  if (!parts) throw refuse('the token is malformed');
  const [, id = '', secret = ''] = parts;
  const record = await accounts.getToken(id);
  // Compared in constant time whether or not the id exists, so timing tells nothing about ids.
  const expected = Buffer.from(record?.hash ?? '0'.repeat(64), 'hex');
  const given = Buffer.from(hashSecret(secret), 'hex');
  const matches = timingSafeEqual(expected, given);
  if (!record || !matches || record.revokedAt) throw refuse('the token is unknown or revoked');
  const user = await accounts.getUser(record.userId);
  const team = user ? await accounts.getTeam(user.team) : undefined;
  if (!user || !team) throw refuse('the token belongs to no user');
  // Who a single-sign-on user is, and may do, is the identity provider's to say at each renewal:
  // a token would outlive their removal there.
  if (user.id.startsWith(SSO_USER_PREFIX))
    throw refuse(`tokens of single-sign-on users (${user.id}) are not accepted`);
  return { userId: user.id, role: user.role, team, tokenId: record.id };
}
