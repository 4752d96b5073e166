import type { FastifyRequest } from 'fastify';
import type { AccountStore } from '../account-store.ts';
import { authenticate, type Principal } from '../auth.ts';
import { readCookie } from './cookies.ts';
import { SESSION_TOKEN_PREFIX, type SsoSessions } from './sso-sessions.ts';

/**
 * The caller of an API request: an `Authorization: Bearer` token when there is one (automation;
 * a browser never sends it on its own, so it needs no CSRF token), else the single sign-on cookie
 * (whose requests that change something must carry the session's CSRF header). Both give the same
 * Principal, so Cedar decides alike whichever way someone signed in.
 */
export async function authenticateRequest(
  request: FastifyRequest,
  accounts: AccountStore,
  sso: SsoSessions | undefined,
): Promise<Principal> {
  const { authorization, cookie } = request.headers;
  if (!authorization && sso && readCookie(cookie, sso.cookies.session)) return sso.authenticate(request);
  return authenticate(authorization, accounts);
}

/** Whether the credential a principal came with still holds: its token unrevoked, its session unended. */
export async function stillSignedIn(
  principal: Principal,
  accounts: AccountStore,
  sso: SsoSessions | undefined,
): Promise<boolean> {
  if (principal.tokenId.startsWith(SESSION_TOKEN_PREFIX))
    return (await sso?.live(principal.tokenId)) ?? false;
  const token = await accounts.getToken(principal.tokenId);
  return token !== undefined && token.revokedAt === undefined;
}
