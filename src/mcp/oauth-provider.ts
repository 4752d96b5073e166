import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import { WardenError } from '../errors.ts';
import { type OAuthState, oauthSecrets, readOAuthState, writeOAuthState } from './oauth-state.ts';

/** Receives every secret value as soon as Warden holds it: the session redactor's `addKnown`. */
export type KnownSecrets = (values: Iterable<{ value: string; kind: string }>) => void;

interface ProviderBase {
  server: string;
  url: string;
  dir: string;
  known: KnownSecrets;
  now: () => number;
}

/** The one-line error a session gives when it cannot use a server without a person signing in. */
export function needsLogin(server: string, why: string): WardenError {
  return new WardenError('mcp.login', `MCP server "${server}": ${why}`, {
    hint: `run warden mcp login ${server}`,
  });
}

function clientMetadata(redirectUrl: string): OAuthClientMetadata {
  return {
    client_name: 'Warden',
    redirect_uris: [redirectUrl],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    // A program on a person's machine keeps no secret: a public client, PKCE instead.
    token_endpoint_auth_method: 'none',
  };
}

function expiry(tokens: OAuthTokens, now: number): number | undefined {
  return tokens.expires_in === undefined ? undefined : now + tokens.expires_in * 1000;
}

/**
 * The provider `warden mcp login` drives: it starts from nothing (a fresh registration for this
 * login's loopback port, no old tokens to refresh), keeps what it learns in memory, writes the code
 * verifier to the state file while the person is at the browser, and commits registration and
 * tokens together once the code is exchanged, so a failed login leaves the previous one working.
 */
export function loginOAuthProvider(
  options: ProviderBase & {
    redirectUrl: string;
    state: string;
    onAuthorizationUrl: (url: URL) => void | Promise<void>;
  },
): OAuthClientProvider {
  const { server, url, dir, redirectUrl } = options;
  const pending: OAuthState = { url, redirectUrl };
  // The previous authorization stays on disk, untouched, until this one succeeds.
  const keepingPrevious = async (change: Partial<OAuthState>) => {
    const previous = await readOAuthState(dir, server);
    const base = previous?.url === url ? previous : { url };
    await writeOAuthState(dir, server, { ...base, ...change });
  };
  return {
    get redirectUrl() {
      return redirectUrl;
    },
    get clientMetadata() {
      return clientMetadata(redirectUrl);
    },
    state: () => options.state,
    clientInformation: () => pending.client,
    saveClientInformation(client) {
      pending.client = client;
    },
    tokens: () => pending.tokens,
    async saveTokens(tokens) {
      options.known(oauthSecrets({ url, tokens }));
      const expiresAt = expiry(tokens, options.now());
      await writeOAuthState(dir, server, {
        ...pending,
        tokens,
        ...(expiresAt === undefined ? {} : { expiresAt }),
        codeVerifier: undefined,
      });
      pending.tokens = tokens;
    },
    redirectToAuthorization: (authorizationUrl) => options.onAuthorizationUrl(authorizationUrl),
    async saveCodeVerifier(codeVerifier) {
      pending.codeVerifier = codeVerifier;
      await keepingPrevious({ codeVerifier });
    },
    codeVerifier() {
      if (!pending.codeVerifier) throw new Error('no PKCE code verifier was made for this login');
      return pending.codeVerifier;
    },
    saveDiscoveryState(discovery) {
      pending.discovery = discovery;
    },
    discoveryState: () => pending.discovery,
    invalidateCredentials(scope) {
      if (scope === 'all' || scope === 'client') pending.client = undefined;
      if (scope === 'all' || scope === 'tokens') pending.tokens = undefined;
      if (scope === 'all' || scope === 'discovery') pending.discovery = undefined;
    },
  };
}

/**
 * The provider of a session: it reads the stored authorization each time (another session may have
 * refreshed it), tells the redactor every token before the transport can send it, writes refreshed
 * tokens back, and never starts a login itself: where the SDK would send a person to a browser, it
 * fails with "run warden mcp login NAME".
 */
export async function sessionOAuthProvider(options: ProviderBase): Promise<OAuthClientProvider> {
  const { server, url, dir, known, now } = options;
  const current = async (): Promise<OAuthState> => {
    const state = await readOAuthState(dir, server);
    if (!state) throw needsLogin(server, 'not signed in');
    if (state.url !== url)
      throw needsLogin(server, `signed in for ${state.url}, but the server is now configured at ${url}`);
    known(oauthSecrets(state));
    return state;
  };
  // The refresh token last handed to the SDK, and one the server refused: that one is not offered
  // again by this session (the file is left alone: another session may be writing a newer one, and
  // the SDK's retry then uses it).
  let handedOut: string | undefined;
  let refused: string | undefined;
  const first = await current();
  const redirectUrl = first.redirectUrl;
  if (!first.tokens) throw needsLogin(server, 'not signed in');
  if (!redirectUrl || !first.client) throw needsLogin(server, 'the stored sign-in is incomplete');
  const update = async (change: Partial<OAuthState>) => {
    const state = await current();
    await writeOAuthState(dir, server, { ...state, ...change });
  };
  return {
    get redirectUrl() {
      return redirectUrl;
    },
    get clientMetadata() {
      return clientMetadata(redirectUrl);
    },
    clientInformation: async () => (await current()).client,
    async saveClientInformation(client: OAuthClientInformationMixed) {
      // The SDK stamps the registration with its issuer after first use; a new registration would
      // need a new login.
      const state = await current();
      if (state.client?.client_id !== client.client_id)
        throw needsLogin(server, 'the authorization server no longer knows Warden as a client');
      await writeOAuthState(dir, server, { ...state, client });
    },
    async tokens() {
      const { tokens } = await current();
      if (tokens?.refresh_token !== undefined && tokens.refresh_token === refused) return undefined;
      handedOut = tokens?.refresh_token;
      return tokens;
    },
    async saveTokens(tokens) {
      known(oauthSecrets({ url, tokens }));
      await update({ tokens, expiresAt: expiry(tokens, now()) });
    },
    redirectToAuthorization() {
      throw needsLogin(server, 'the sign-in has expired and could not be refreshed');
    },
    saveCodeVerifier() {},
    codeVerifier() {
      throw needsLogin(server, 'a session does not sign in');
    },
    saveDiscoveryState: (discovery: OAuthDiscoveryState) => update({ discovery }),
    discoveryState: async () => (await current()).discovery,
    async invalidateCredentials(scope) {
      if (scope === 'discovery') return update({ discovery: undefined });
      if (scope === 'tokens' || scope === 'all') refused = handedOut;
      if (scope === 'all' || scope === 'client')
        throw needsLogin(server, 'the authorization server refused Warden as a client');
    },
  };
}

/** True when the stored access token is known to be expired (or within a minute of it). */
export function accessTokenExpired(state: OAuthState, now: number): boolean {
  return state.expiresAt !== undefined && state.expiresAt - 60_000 <= now;
}
