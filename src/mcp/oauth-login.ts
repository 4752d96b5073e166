import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { sendsSafely } from '../broker/credentials.ts';
import { isWardenError, messageOf, WardenError } from '../errors.ts';
import { limitAnswers } from './http-answer-limit.ts';
import { safeFetch, serverUrl } from './http-transport.ts';
import { loginOAuthProvider } from './oauth-provider.ts';
import { readOAuthState, removeOAuthState } from './oauth-state.ts';

export interface LoginOptions {
  server: string;
  url: string;
  /** `oauthStateDir(env)`. */
  dir: string;
  /** Where the person reads the sign-in page's URL and what happens. */
  print: (line: string) => void;
  /** Opens the sign-in page in a browser, when the person asked for it. */
  open?: (url: URL) => void;
  /** The loopback port to listen on; any free one by default. */
  port?: number;
  /** How long to wait for the browser's redirect. */
  timeoutMs: number;
  fetch?: FetchLike;
  now?: () => number;
}

const CALLBACK = '/callback';

/**
 * OAuth 2.1 authorization code with PKCE, on the host: registers Warden with the server's
 * authorization server (dynamic client registration, redirect to a loopback listener on
 * 127.0.0.1), prints the sign-in URL, waits for the browser to come back with the code, checks
 * the `state` it carries (a redirect this login did not start is refused), exchanges the code
 * and stores the tokens. Sessions then use them through `httpTransport`.
 */
export async function loginToServer(options: LoginOptions): Promise<{ expiresAt?: number }> {
  const url = serverUrl(options.server, options.url);
  const fetchFn = limitAnswers(safeFetch(options.fetch ?? fetch), { server: options.server });
  const state = randomBytes(24).toString('base64url');
  const listener = await listen(options.port ?? 0, state);
  const redirectUrl = `http://127.0.0.1:${(listener.server.address() as AddressInfo).port}${CALLBACK}`;
  try {
    const provider = loginOAuthProvider({
      server: options.server,
      url: url.href,
      dir: options.dir,
      known: () => {},
      now: options.now ?? Date.now,
      redirectUrl,
      state,
      onAuthorizationUrl(authorizationUrl) {
        // The page comes from the authorization server's metadata: only a web page is opened or shown.
        if (!sendsSafely(authorizationUrl))
          throw new WardenError(
            'mcp.login',
            `the sign-in page of "${options.server}" is not https: ${authorizationUrl.origin}`,
            {
              hint: 'the authorization server must publish an https authorization endpoint',
            },
          );
        options.print(`Open this page to sign in to "${options.server}":\n\n  ${authorizationUrl.href}\n`);
        options.print(`Waiting for the browser to return to ${redirectUrl} …`);
        options.open?.(authorizationUrl);
      },
    });
    const started = await auth(provider, { serverUrl: url, fetchFn }).catch(failed(options.server));
    if (started === 'AUTHORIZED') return {};
    const code = await listener.code(options.timeoutMs);
    await auth(provider, { serverUrl: url, authorizationCode: code, fetchFn }).catch(failed(options.server));
    const saved = await readOAuthState(options.dir, options.server);
    return saved?.expiresAt === undefined ? {} : { expiresAt: saved.expiresAt };
  } finally {
    await listener.close();
  }
}

/** An error of the SDK or the network (an authorization server without registration, a refused code) as one line. */
function failed(server: string) {
  return (error: unknown): never => {
    if (isWardenError(error)) throw error;
    throw new WardenError('mcp.login', `signing in to "${server}" failed: ${messageOf(error)}`, {
      hint: 'check the server URL in your user config; Warden registers itself with the authorization server (dynamic client registration)',
    });
  };
}

/**
 * Forgets the sign-in; first asks the authorization server to revoke the refresh token (RFC 7009)
 * when it offers revocation, so the token is dead, not merely forgotten. True when there was one.
 */
export async function logoutFromServer(options: {
  server: string;
  dir: string;
  fetch?: FetchLike;
}): Promise<{ removed: boolean; revoked: boolean }> {
  const state = await readOAuthState(options.dir, options.server).catch(() => undefined);
  // OAuth metadata has it; OpenID Connect's does not.
  const metadata = state?.discovery?.authorizationServerMetadata as
    | { revocation_endpoint?: unknown }
    | undefined;
  const endpoint =
    typeof metadata?.revocation_endpoint === 'string' ? metadata.revocation_endpoint : undefined;
  const token = state?.tokens?.refresh_token ?? state?.tokens?.access_token;
  let revoked = false;
  if (endpoint && token && state?.client && URL.canParse(endpoint) && sendsSafely(new URL(endpoint))) {
    const body = new URLSearchParams({ token, client_id: state.client.client_id });
    if (state.tokens?.refresh_token) body.set('token_type_hint', 'refresh_token');
    if (state.client.client_secret) body.set('client_secret', state.client.client_secret);
    revoked = await (options.fetch ?? fetch)(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      redirect: 'error',
    }).then(
      (response) => response.ok,
      () => false,
    );
  }
  return { removed: await removeOAuthState(options.dir, options.server), revoked };
}

interface Listener {
  server: Server;
  /** The authorization code of the first redirect carrying the login's `state`; others are refused. */
  code(timeoutMs: number): Promise<string>;
  close(): Promise<void>;
}

async function listen(port: number, state: string): Promise<Listener> {
  let waiting = true;
  let settle!: { resolve: (code: string) => void; reject: (error: Error) => void };
  const arrived = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Settled before anyone awaits it when the browser is quick or the login fails first.
  arrived.catch(() => {});
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reply = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`${text}\n`);
    };
    if (req.method !== 'GET' || url.pathname !== CALLBACK) return reply(404, 'Not found.');
    // A redirect this login did not start (cross-site request forgery, a stale tab): refused, and
    // the login keeps waiting for its own.
    if (!waiting || url.searchParams.get('state') !== state)
      return reply(400, 'Warden refused this sign-in: its state does not match the login in progress.');
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (error) {
      const detail = url.searchParams.get('error_description');
      reply(400, 'The sign-in was refused. You can close this tab.');
      settle.reject(
        new WardenError(
          'mcp.login',
          `the authorization server refused the sign-in: ${error}${detail ? ` (${detail})` : ''}`,
        ),
      );
    } else if (code) {
      reply(200, 'Warden is signed in. You can close this tab.');
      settle.resolve(code);
    } else return reply(400, 'The redirect carried no authorization code.');
    waiting = false;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new WardenError(
          'mcp.login',
          `cannot listen on 127.0.0.1:${port} for the sign-in redirect: ${error.code ?? error.message}`,
          { hint: 'choose another --port, or leave it out for any free one' },
        ),
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    server,
    async code(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new WardenError(
                'mcp.login',
                `no sign-in came back within ${Math.round(timeoutMs / 1000)} seconds`,
                {
                  hint: 'run the login again and open the printed page in a browser on this machine',
                },
              ),
            ),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([arrived, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
