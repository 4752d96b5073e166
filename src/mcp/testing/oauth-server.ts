import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { OAuthRegisteredClientsStore } from '@modelcontextprotocol/sdk/server/auth/clients.js';
import { InvalidGrantError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type {
  AuthorizationParams,
  OAuthServerProvider,
} from '@modelcontextprotocol/sdk/server/auth/provider.js';
import { mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import type { OAuthClientInformationFull, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

// express comes with the SDK (its auth router is built on it) but has no types installed here.
const express = createRequire(import.meta.url)('express') as () => {
  use(handler: unknown): void;
  listen(port: number, host: string, done: () => void): Server;
};

export interface TestAuthorizationServer {
  /** The issuer: `http://127.0.0.1:PORT/`. */
  url: string;
  /** Whether an access token is one this server issued and still honours. */
  honours(authorization: string | undefined): boolean;
  /** Every access token issued so far stops being honoured, as when they expire. */
  expireAccessTokens(): void;
  issued: { access: string[]; refresh: string[] };
  /** `grant_type` of every token request that got tokens. */
  grants: string[];
  revoked: string[];
  close(): Promise<void>;
}

/**
 * An OAuth 2.1 authorization server on 127.0.0.1 made of the SDK's own server pieces (metadata,
 * dynamic client registration, authorize with PKCE S256, token, revoke: `mcpAuthRouter`), with a
 * provider that approves every sign-in at once (the person says yes), rotates refresh tokens, and
 * can expire every access token on demand.
 */
export async function startOAuthServer(): Promise<TestAuthorizationServer> {
  const clients = new Map<string, OAuthClientInformationFull>();
  const codes = new Map<string, { clientId: string; params: AuthorizationParams }>();
  const access = new Map<string, { clientId: string; live: boolean }>();
  const refresh = new Map<string, string>(); // token -> client id
  const issued = { access: [] as string[], refresh: [] as string[] };
  const grants: string[] = [];
  const revoked: string[] = [];

  const clientsStore: OAuthRegisteredClientsStore = {
    getClient: async (id) => clients.get(id),
    registerClient: async (client) => {
      const full = client as OAuthClientInformationFull;
      clients.set(full.client_id, full);
      return full;
    },
  };
  const tokensFor = (clientId: string, grant: string): OAuthTokens => {
    const accessToken = `at-${randomUUID()}`;
    const refreshToken = `rt-${randomUUID()}`;
    access.set(accessToken, { clientId, live: true });
    refresh.set(refreshToken, clientId);
    issued.access.push(accessToken);
    issued.refresh.push(refreshToken);
    grants.push(grant);
    return { access_token: accessToken, token_type: 'bearer', expires_in: 3600, refresh_token: refreshToken };
  };
  const provider: OAuthServerProvider = {
    clientsStore,
    async authorize(client, params, res) {
      if (!client.redirect_uris.includes(params.redirectUri)) throw new Error('unregistered redirect_uri');
      const code = randomUUID();
      codes.set(code, { clientId: client.client_id, params });
      const target = new URL(params.redirectUri);
      target.searchParams.set('code', code);
      if (params.state !== undefined) target.searchParams.set('state', params.state);
      (res as { redirect(url: string): void }).redirect(target.href);
    },
    async challengeForAuthorizationCode(_client, code) {
      const found = codes.get(code);
      if (!found) throw new InvalidGrantError('unknown authorization code');
      return found.params.codeChallenge;
    },
    async exchangeAuthorizationCode(client, code) {
      const found = codes.get(code);
      if (!found || found.clientId !== client.client_id)
        throw new InvalidGrantError('unknown authorization code');
      codes.delete(code);
      return tokensFor(client.client_id, 'authorization_code');
    },
    async exchangeRefreshToken(client, token) {
      if (refresh.get(token) !== client.client_id) throw new InvalidGrantError('unknown refresh token');
      refresh.delete(token); // rotated: a refresh token is good once
      return tokensFor(client.client_id, 'refresh_token');
    },
    async verifyAccessToken(token) {
      const found = access.get(token);
      if (!found?.live) throw new InvalidGrantError('unknown or expired access token');
      return { token, clientId: found.clientId, scopes: [] };
    },
    async revokeToken(_client, request) {
      revoked.push(request.token);
      refresh.delete(request.token);
      access.delete(request.token);
    },
  };

  const app = express();
  const http = await new Promise<Server>((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  const noLimit = { rateLimit: false as const };
  app.use(
    mcpAuthRouter({
      provider,
      issuerUrl: new URL(url),
      authorizationOptions: noLimit,
      clientRegistrationOptions: noLimit,
      tokenOptions: noLimit,
      revocationOptions: noLimit,
    }),
  );
  return {
    url,
    honours: (authorization) => {
      const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
      return token !== undefined && access.get(token)?.live === true;
    },
    expireAccessTokens() {
      for (const entry of access.values()) entry.live = false;
    },
    issued,
    grants,
    revoked,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
