import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** A person at the test's identity provider: their groups can change, and they can be disabled. */
export interface TestAccount {
  name: string;
  email: string;
  groups: string[];
  disabled?: boolean;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  /** Registers the relying party once its address is known (Warden listens after the issuer is chosen). */
  register(wardenUrl: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (panva's oidc-provider, certified) on 127.0.0.1 with its own login and
 * consent pages: PKCE required, refresh tokens for the code flow, a `groups` scope and claim, and
 * RP-initiated logout. Accounts are read at every token and refresh, so a change here (groups, a
 * disabled account) is what the provider says next.
 */
export async function startTestProvider(accounts: Record<string, TestAccount>): Promise<TestProvider> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'warden';
  const clientSecret = randomBytes(24).toString('base64url');
  const people = new Map(Object.entries(accounts));
  // Its advice to production deployments (dev keys, in-memory store, stock pages) is not for a test.
  const { info, warn } = console;
  const quiet =
    (write: (...args: unknown[]) => void) =>
    (...args: unknown[]) => {
      if (!String(args[0]).startsWith('oidc-provider ')) write(...args);
    };
  console.info = quiet(info);
  console.warn = quiet(warn);
  let handler: ((request: IncomingMessage, response: ServerResponse) => void) | undefined;
  server.on('request', (request, response) => {
    if (!handler) response.writeHead(503).end('the provider is not registered yet');
    else handler(request, response);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    accounts: people,
    register(wardenUrl) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [`${wardenUrl}/auth/callback`],
            post_logout_redirect_uris: [`${wardenUrl}/`],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        pkce: { required: () => true },
        scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
        claims: { openid: ['sub'], profile: ['name'], email: ['email'], groups: ['groups'] },
        cookies: { keys: [randomBytes(32).toString('hex')] },
        features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
        issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
        async findAccount(_ctx, id) {
          const person = people.get(id);
          if (!person || person.disabled) return undefined;
          return {
            accountId: id,
            async claims() {
              const now = people.get(id);
              return { sub: id, name: now?.name, email: now?.email, groups: now?.groups ?? [] };
            },
          };
        },
      });
      handler = provider.callback();
    },
    close: () =>
      new Promise<void>((resolve) => {
        console.info = info;
        console.warn = warn;
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
