import * as oidc from 'openid-client';
import { WardenError } from '../../errors.ts';
import { isLoopback, type SsoConfig } from './config.ts';
import { groupsOf } from './group-mapping.ts';

/** A sign-in under way: what the callback must see again, kept in the browser's login cookie. */
export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
}

/** What the provider vouched for, from a validated ID token (and its userinfo when needed). */
export interface Identity {
  subject: string;
  /** The value of `sso.user_claim`. */
  user: string;
  name: string;
  /** undefined: the provider sent no groups claim at all. */
  groups: string[] | undefined;
  refreshToken: string | undefined;
  idToken: string | undefined;
}

export interface OidcProvider {
  begin(): Promise<{ url: URL; pending: PendingLogin }>;
  /** Validates the callback (state, PKCE, ID token signature, issuer, audience, nonce, expiry). */
  finish(callback: URL, pending: PendingLogin): Promise<Identity>;
  /** The identity now, asked again with the refresh token; throws `sso.revoked` when the provider refuses. */
  refresh(refreshToken: string, subject: string): Promise<Identity>;
  /** The provider's end_session_endpoint with the hint, or undefined when it offers none. */
  endSessionUrl(idToken: string | undefined): Promise<URL | undefined>;
}

const TIMEOUT_SECONDS = 10;

/** The provider through openid-client; its metadata is read once, at first use, and kept. */
export function openIdProvider(config: SsoConfig, env: NodeJS.ProcessEnv): OidcProvider {
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    discovered ??= discover(config, env).catch((error) => {
      // A provider that was down is asked again at the next sign-in.
      discovered = undefined;
      throw error;
    });
    return discovered;
  };
  const identityOf = async (
    client: oidc.Configuration,
    tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
    expectedSubject?: string,
  ): Promise<Identity> => {
    const claims = tokens.claims();
    if (!claims) throw new WardenError('sso.invalid', 'the provider sent no ID token');
    if (expectedSubject !== undefined && claims.sub !== expectedSubject) {
      throw new WardenError('sso.revoked', 'the provider answered for another subject');
    }
    let all: Record<string, unknown> = claims;
    // Providers that conform ID token claims (oidc-provider, Auth0) put groups in userinfo only.
    if (groupsOf(claims, config.groupsClaim) === undefined || claims[config.userClaim] === undefined) {
      const info = await oidc.fetchUserInfo(client, tokens.access_token, claims.sub);
      all = { ...info, ...claims };
    }
    const user = all[config.userClaim];
    if (typeof user !== 'string' || user.length === 0 || user.length > 200 || /[\p{Cc}\s]/u.test(user)) {
      throw new WardenError(
        'sso.invalid',
        `the provider's "${config.userClaim}" claim is not a usable name`,
        {
          hint: 'set sso.user_claim to a claim every user has, such as sub',
        },
      );
    }
    const name = [all.email, all.name, all.preferred_username].find((v) => typeof v === 'string');
    return {
      subject: claims.sub,
      user,
      name: typeof name === 'string' ? name : user,
      groups: groupsOf(all, config.groupsClaim),
      refreshToken: tokens.refresh_token,
      idToken: tokens.id_token,
    };
  };
  return {
    async begin() {
      const client = await configuration();
      const pending = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
      };
      const url = oidc.buildAuthorizationUrl(client, {
        redirect_uri: config.redirectUrl.href,
        scope: config.scopes.join(' '),
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url, pending };
    },
    async finish(callback, pending) {
      const client = await configuration();
      const tokens = await oidc.authorizationCodeGrant(client, callback, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      return identityOf(client, tokens);
    },
    async refresh(refreshToken, subject) {
      const client = await configuration();
      let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>;
      try {
        tokens = await oidc.refreshTokenGrant(client, refreshToken);
      } catch (error) {
        if (error instanceof oidc.ResponseBodyError) {
          throw new WardenError('sso.revoked', `the provider refused to renew the session: ${error.error}`);
        }
        throw error;
      }
      // A refresh need not return an ID token; the subject is then the one signed in.
      if (!tokens.id_token) {
        const info = await oidc.fetchUserInfo(client, tokens.access_token, subject);
        const user = info[config.userClaim];
        const name = [info.email, info.name, info.preferred_username].find((v) => typeof v === 'string');
        return {
          subject,
          user: typeof user === 'string' ? user : '',
          name: typeof name === 'string' ? name : String(user ?? subject),
          groups: groupsOf(info, config.groupsClaim),
          refreshToken: tokens.refresh_token ?? refreshToken,
          idToken: undefined,
        };
      }
      const identity = await identityOf(client, tokens, subject);
      return { ...identity, refreshToken: identity.refreshToken ?? refreshToken };
    },
    async endSessionUrl(idToken) {
      const client = await configuration();
      if (!client.serverMetadata().end_session_endpoint) return undefined;
      return oidc.buildEndSessionUrl(client, {
        post_logout_redirect_uri: config.publicUrl.href,
        client_id: config.clientId,
        ...(idToken ? { id_token_hint: idToken } : {}),
      });
    },
  };
}

async function discover(config: SsoConfig, env: NodeJS.ProcessEnv): Promise<oidc.Configuration> {
  let auth: oidc.ClientAuth = oidc.None();
  if (config.clientSecretEnv) {
    const secret = env[config.clientSecretEnv];
    if (!secret) {
      throw new WardenError('sso.config', `${config.clientSecretEnv} is not set`, {
        where: config.where,
        hint: `start warden serve with the client secret in ${config.clientSecretEnv}`,
      });
    }
    auth = oidc.ClientSecretBasic(secret);
  }
  try {
    return await oidc.discovery(config.issuer, config.clientId, undefined, auth, {
      timeout: TIMEOUT_SECONDS,
      // Plain HTTP only to a provider on this machine (a test, a local Keycloak); config refuses the rest.
      ...(config.issuer.protocol === 'http:' && isLoopback(config.issuer.hostname)
        ? { execute: [oidc.allowInsecureRequests] }
        : {}),
    });
  } catch (error) {
    throw new WardenError(
      'sso.unavailable',
      `cannot read the identity provider's configuration at ${config.issuer.href}: ${(error as Error).message}`,
      { where: config.where, hint: 'check sso.issuer, and that this server can reach the provider' },
    );
  }
}
