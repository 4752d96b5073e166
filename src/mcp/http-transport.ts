import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CredentialStore } from '../broker/credentials.ts';
import { sendsSafely } from '../broker/credentials.ts';
import { isWardenError, messageOf, WardenError } from '../errors.ts';
import { limitAnswers } from './http-answer-limit.ts';
import { accessTokenExpired, type KnownSecrets, needsLogin, sessionOAuthProvider } from './oauth-provider.ts';
import { serializedRefresh } from './oauth-refresh.ts';
import { readOAuthState } from './oauth-state.ts';

/** An MCP server reached over Streamable HTTP, from Warden's own process (never the sandbox's). */
export interface HttpServerConfig {
  url: string;
  /** A name under the user's `credentials:`: its token is sent as a bearer token, to its host only. */
  credential?: string;
  /** OAuth 2.1, signed in on the host with `warden mcp login NAME`. */
  oauth?: boolean;
}

export interface HttpTransportOptions {
  /** The session broker's credentials (the user's `credentials:`). */
  credentials: CredentialStore;
  /** The session redactor's `addKnown`: told every token before the transport can send it. */
  known: KnownSecrets;
  /** Where OAuth sign-ins are kept: `oauthStateDir(env)`. */
  oauthDir: string;
  /** Tests only. */
  fetch?: FetchLike;
  maxAnswerBytes?: number;
  now?: () => number;
}

/**
 * The SDK's Streamable HTTP client transport for a configured server, with the broker's token:
 * a static bearer (the named credential, sent only to its own host) or OAuth (the stored sign-in,
 * refreshed when it has expired). Fails with one line a person can act on when the server cannot
 * be reached safely or no usable token exists.
 */
export async function httpTransport(
  name: string,
  server: HttpServerConfig,
  options: HttpTransportOptions,
): Promise<StreamableHTTPClientTransport> {
  const url = serverUrl(name, server.url);
  if (server.credential !== undefined && server.oauth)
    throw new WardenError('mcp.config', `MCP server "${name}" has both "credential:" and "oauth: true"`, {
      hint: 'keep one: a token from "credentials:", or an OAuth sign-in',
    });
  const base = limitAnswers(safeFetch(options.fetch ?? fetch), {
    server: name,
    maxAnswerBytes: options.maxAnswerBytes,
  });
  if (server.credential !== undefined) {
    const fetchFn = bearerFetch(name, server.credential, url, options, base);
    return new StreamableHTTPClientTransport(url, { fetch: fetchFn });
  }
  if (!server.oauth) return new StreamableHTTPClientTransport(url, { fetch: base });
  const now = options.now ?? Date.now;
  const provider = await sessionOAuthProvider({
    server: name,
    url: url.href,
    dir: options.oauthDir,
    known: options.known,
    now,
  });
  const oauthFetch = serializedRefresh(base, {
    dir: options.oauthDir,
    server: name,
    known: options.known,
    now,
  });
  const state = await readOAuthState(options.oauthDir, name);
  if (state && accessTokenExpired(state, now())) {
    if (!state.tokens?.refresh_token) throw needsLogin(name, 'the sign-in has expired');
    // Refreshed before the first request, so an expired token is not sent at all.
    await auth(provider, { serverUrl: url, fetchFn: oauthFetch }).catch((error: unknown) => {
      if (isWardenError(error)) throw error;
      throw new WardenError(
        'mcp.oauth',
        `MCP server "${name}": the expired sign-in could not be refreshed: ${messageOf(error)}`,
        {
          hint: `try again later, or run warden mcp login ${name}`,
        },
      );
    });
  }
  return new StreamableHTTPClientTransport(url, { authProvider: provider, fetch: oauthFetch });
}

/** The server's URL, if a token may travel to it: https, or http to this machine. */
export function serverUrl(name: string, text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WardenError('mcp.config', `MCP server "${name}": "${text}" is not a URL`, {
      hint: 'write the server endpoint in full, such as https://mcp.example.com/mcp',
    });
  }
  if (!sendsSafely(url) || url.username || url.password)
    throw new WardenError('mcp.config', `MCP server "${name}": ${url.origin} is not https`, {
      hint: 'an MCP server is reached over https (http only on this machine: 127.0.0.1, localhost), with no user or password in the URL',
    });
  return url;
}

/**
 * Every request — the server's, a redirect the SDK follows, an OAuth endpoint the server points to —
 * goes over https or stays on this machine: no token crosses a network in the clear.
 */
export function safeFetch(inner: FetchLike): FetchLike {
  return (input, init) => {
    const url = new URL(input);
    if (!sendsSafely(url))
      return Promise.reject(
        new WardenError('mcp.url', `refused a request to ${url.origin}: not https`, {
          hint: 'Warden sends MCP and OAuth requests only over https (or http to this machine)',
        }),
      );
    return inner(input, init);
  };
}

/**
 * The named credential as `Authorization: Bearer`, decided again for each request's own URL, so a
 * redirect to another host goes without it. Checked once up front too: a credential that would
 * never be sent is a configuration error, said before connecting.
 */
function bearerFetch(
  name: string,
  credential: string,
  url: URL,
  options: HttpTransportOptions,
  inner: FetchLike,
): FetchLike {
  const found = options.credentials.named(credential, url.href);
  if ('why' in found)
    throw new WardenError('mcp.credential', `MCP server "${name}": ${found.why}`, {
      hint: `its host must be the server's (${url.host}); see "credentials:" in your user config`,
    });
  const token = bearerToken(found.credential);
  options.known([{ value: token, kind: 'mcp-credential' }]);
  return (input, init) => {
    const headers = new Headers(init?.headers);
    const held = options.credentials.named(credential, new URL(input).href);
    if ('credential' in held) headers.set('authorization', `Bearer ${bearerToken(held.credential)}`);
    else headers.delete('authorization');
    return inner(input, { ...init, headers });
  };
}

/** With no password the user name is the token, as the store's own secret forms read it. */
function bearerToken(credential: { username: string; password: string }): string {
  return credential.password === '' ? credential.username : credential.password;
}
