import * as oidc from 'openid-client';
import { isWardenError, messageOf, WardenError } from '../../errors.ts';
import type { AccountStore } from '../account-store.ts';
import { ApiError } from '../api-errors.ts';
import type { Principal } from '../auth.ts';
import type { SsoConfig } from './config.ts';
import { type CookieNames, cookieNames, readCookie } from './cookies.ts';
import { mapGroups } from './group-mapping.ts';
import type { Identity, OidcProvider, PendingLogin } from './provider.ts';
import { csrfMatches, csrfTokenOf, hashOf, newSecret, SECRET_SHAPE, seal, unseal } from './session-secret.ts';
import type { SsoSessionRecord, SsoSessionStore } from './session-store.ts';

/** The header a cookie-authenticated request that changes something carries its CSRF token in. */
export const CSRF_HEADER = 'x-warden-csrf';

/** How long a sign-in may take at the provider. */
export const LOGIN_SECONDS = 600;

/** A session neither used nor renewed for this long is forgotten. */
const ABANDONED_MS = 7 * 24 * 3600_000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Who a cookie signs in, for the console (`GET /auth/session`). */
export interface SessionView {
  user: string;
  name: string;
  role: string;
  team: string;
  csrf: string;
  expiresAt: string;
}

/** The callback's outcome: a session cookie, or a refusal to show the person. */
export type Finished =
  | { ok: true; secret: string; view: SessionView }
  | { ok: false; status: number; title: string; message: string };

export interface SsoSessions {
  readonly config: SsoConfig;
  readonly cookies: CookieNames;
  begin(): Promise<{ url: URL; pending: PendingLogin }>;
  finish(callback: URL, pending: PendingLogin | undefined): Promise<Finished>;
  /** The principal of a request carrying the session cookie; renewed with the provider once expired. */
  authenticate(request: {
    method: string;
    headers: Record<string, string | string[] | undefined>;
  }): Promise<Principal>;
  view(principal: Principal): SessionView | undefined;
  /**
   * Ends the session of a cookie at once (the request must carry its CSRF token, so that no other
   * site can sign someone out); the provider's sign-out address, when it has one.
   */
  signOut(cookieHeader: string | undefined, csrf: string | undefined): Promise<URL | undefined>;
  /** Whether the session behind a principal's `tokenId` is still there and unexpired (event streams). */
  live(tokenId: string): Promise<boolean>;
}

export const SESSION_TOKEN_PREFIX = 'session:';

interface Sealed {
  subject: string;
  refreshToken?: string | undefined;
  idToken?: string | undefined;
}

export function createSsoSessions(options: {
  config: SsoConfig;
  provider: OidcProvider;
  store: SsoSessionStore;
  accounts: AccountStore;
  log: (line: string) => void;
  now?: () => number;
}): SsoSessions {
  const { config, provider, store, accounts, log } = options;
  const now = options.now ?? Date.now;
  const cookies = cookieNames(config.redirectUrl.protocol === 'https:');
  const renewing = new Map<string, Promise<SsoSessionRecord>>();
  const views = new WeakMap<Principal, SessionView>();
  const expiry = () => new Date(now() + config.sessionMinutes * 60_000).toISOString();
  const ended = (message: string) =>
    new WardenError('auth.unauthenticated', message, {
      hint: 'sign in again (the console offers "Sign in with SSO"), or send Authorization: Bearer <token>',
    });

  /** The user `sso:<claim>` in the mapped team and role, made or moved as the provider says. */
  const placeUser = async (
    identity: Identity,
  ): Promise<
    { ok: true; userId: string; team: string; role: SsoSessionRecord['role'] } | { ok: false; why: string }
  > => {
    const mapping = mapGroups(config.roles, identity.groups ?? []);
    if (!mapping) {
      const groups = identity.groups?.length
        ? `none of your groups (${identity.groups.join(', ')}) is mapped to a Warden team`
        : `the provider lists no groups for you (claim "${config.groupsClaim}"), so none maps to a Warden team`;
      return { ok: false, why: `${groups}. Ask an admin to map one under sso.roles in server.yaml.` };
    }
    if (!(await accounts.getTeam(mapping.team))) {
      return {
        ok: false,
        why: `your group "${mapping.group}" maps to team "${mapping.team}", which does not exist. Ask an admin to create it (POST /v1/teams).`,
      };
    }
    const userId = `sso:${identity.user}`;
    const user = await accounts.getUser(userId);
    if (!user) await accounts.createUser({ id: userId, team: mapping.team, role: mapping.role });
    else if (user.team !== mapping.team || user.role !== mapping.role) {
      await accounts.updateUser(userId, { team: mapping.team, role: mapping.role });
    }
    return { ok: true, userId, team: mapping.team, role: mapping.role };
  };

  const renew = async (secret: string, read: SsoSessionRecord): Promise<SsoSessionRecord> => {
    // Renewed by a request that read the row just before: a second renewal would spend a refresh
    // token the provider has already rotated, which it takes for theft and answers by revoking.
    const record = await store.get(read.hash);
    if (!record) throw ended('the session is unknown or was signed out');
    if (Date.parse(record.expiresAt) > now()) return record;
    const sealed = record.sealed ? unseal<Sealed>(secret, record.sealed) : undefined;
    const end = async (why: string): Promise<never> => {
      await store.delete(record.hash);
      log(`sso: the session of ${record.userId} ended: ${why}`);
      throw ended(`the session ended: ${why}`);
    };
    // What the provider said is about the person, not this one session: every session of theirs ends.
    const endAll = async (why: string): Promise<never> => {
      const count = await store.deleteForUser(record.userId);
      log(`sso: the ${count} session(s) of ${record.userId} ended: ${why}`);
      throw ended(`the session ended: ${why}`);
    };
    if (!sealed?.refreshToken) return end('it expired, and the provider gave no refresh token to renew it');
    let identity: Identity;
    try {
      identity = await provider.refresh(sealed.refreshToken, sealed.subject);
    } catch (error) {
      if (isWardenError(error) && error.code === 'sso.revoked') return endAll(error.message);
      // The provider could not be asked: no access now, but the session is kept for when it answers.
      log(`sso: cannot renew the session of ${record.userId}: ${messageOf(error)}`);
      throw ended(`the session expired and the identity provider cannot be reached to renew it`);
    }
    const placed = await placeUser({ ...identity, user: record.userId.slice('sso:'.length) });
    if (!placed.ok) return endAll(placed.why);
    const next: SsoSessionRecord = {
      ...record,
      name: identity.name,
      team: placed.team,
      role: placed.role,
      sealed: seal(secret, {
        subject: sealed.subject,
        refreshToken: identity.refreshToken,
        idToken: identity.idToken ?? sealed.idToken,
      } satisfies Sealed),
      expiresAt: expiry(),
    };
    await store.update(record.hash, next);
    return next;
  };

  const sessionOf = async (cookieHeader: string | undefined) => {
    const secret = readCookie(cookieHeader, cookies.session);
    if (!secret || !SECRET_SHAPE.test(secret)) return undefined;
    const record = await store.get(hashOf(secret));
    return record ? { secret, record } : undefined;
  };

  return {
    config,
    cookies,
    begin: () => provider.begin(),
    async finish(callback, pending) {
      const refuse = (status: number, title: string, message: string): Finished => {
        log(`sso: sign-in refused: ${message}`);
        return { ok: false, status, title, message };
      };
      if (!pending) {
        return refuse(
          400,
          'Sign-in expired',
          `This sign-in was not started from this browser, or took longer than ${LOGIN_SECONDS / 60} minutes. Start again.`,
        );
      }
      let identity: Identity;
      try {
        identity = await provider.finish(callback, pending);
      } catch (error) {
        if (error instanceof oidc.AuthorizationResponseError) {
          return refuse(
            403,
            'Not signed in',
            `The identity provider did not sign you in: ${error.error_description ?? error.error}.`,
          );
        }
        return refuse(400, 'Sign-in failed', `The sign-in could not be completed: ${messageOf(error)}`);
      }
      const placed = await placeUser(identity);
      if (!placed.ok)
        return refuse(
          403,
          'No access to Warden',
          `You signed in at the identity provider as ${identity.name}, but ${placed.why}`,
        );
      const secret = newSecret();
      const record = {
        hash: hashOf(secret),
        userId: placed.userId,
        name: identity.name,
        team: placed.team,
        role: placed.role,
        sealed: seal(secret, {
          subject: identity.subject,
          refreshToken: identity.refreshToken,
          idToken: identity.idToken,
        } satisfies Sealed),
        expiresAt: expiry(),
      };
      await store.create(record);
      await store.purge(new Date(now() - ABANDONED_MS).toISOString());
      log(`sso: ${identity.name} signed in as ${placed.userId} (${placed.role} of team "${placed.team}")`);
      return {
        ok: true,
        secret,
        view: viewOf(record, secret),
      };
    },
    async authenticate(request) {
      const header = request.headers.cookie;
      const found = await sessionOf(Array.isArray(header) ? header.join('; ') : header);
      if (!found) throw ended('the session is unknown or was signed out');
      const { secret } = found;
      let { record } = found;
      if (!SAFE_METHODS.has(request.method.toUpperCase())) {
        const given = request.headers[CSRF_HEADER];
        if (!csrfMatches(secret, Array.isArray(given) ? given[0] : given)) {
          throw csrfRefusal(request.method);
        }
      }
      if (Date.parse(record.expiresAt) <= now()) {
        let pending = renewing.get(record.hash);
        if (!pending) {
          pending = renew(secret, record).finally(() => renewing.delete(found.record.hash));
          renewing.set(record.hash, pending);
        }
        record = await pending;
      }
      // The account, not the session row, says the role and team now: a demotion that one session's
      // renewal wrote applies to every other session of the user at once.
      const user = await accounts.getUser(record.userId);
      if (!user) throw ended(`the user ${record.userId} no longer exists`);
      const team = await accounts.getTeam(user.team);
      if (!team) throw ended(`team "${user.team}" no longer exists`);
      const principal: Principal = {
        userId: record.userId,
        role: user.role,
        team,
        tokenId: `${SESSION_TOKEN_PREFIX}${record.hash}`,
      };
      views.set(principal, viewOf(record, secret));
      return principal;
    },
    view: (principal) => views.get(principal),
    async signOut(cookieHeader, csrf) {
      const found = await sessionOf(cookieHeader);
      if (!found) return provider.endSessionUrl(undefined).catch(() => undefined);
      if (!csrfMatches(found.secret, csrf)) throw csrfRefusal('POST');
      await store.delete(found.record.hash);
      log(`sso: ${found.record.userId} signed out`);
      const sealed = found.record.sealed ? unseal<Sealed>(found.secret, found.record.sealed) : undefined;
      return provider.endSessionUrl(sealed?.idToken).catch(() => undefined);
    },
    async live(tokenId) {
      if (!tokenId.startsWith(SESSION_TOKEN_PREFIX)) return false;
      const record = await store.get(tokenId.slice(SESSION_TOKEN_PREFIX.length));
      return record !== undefined && Date.parse(record.expiresAt) > now();
    },
  };
}

function csrfRefusal(method: string): ApiError {
  return new ApiError(
    403,
    'auth.csrf',
    `a ${method} signed in by cookie must carry the ${CSRF_HEADER} header of its session`,
    { hint: 'the console sends it; scripts use Authorization: Bearer <token> instead' },
  );
}

function viewOf(record: Omit<SsoSessionRecord, 'createdAt'>, secret: string): SessionView {
  return {
    user: record.userId,
    name: record.name,
    role: record.role,
    team: record.team,
    csrf: csrfTokenOf(secret),
    expiresAt: record.expiresAt,
  };
}
