import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileProblem, messageOf, WardenError } from '../errors.ts';
import { type ClientTls, clientTlsFrom, explainTlsFailure, tlsDispatcher } from './tls-client.ts';

/** One `warden serve` as a client sees it: its base URL and the token every call carries. */
export interface ServerClient {
  readonly url: string;
  /** A JSON call; an error answer becomes a WardenError with the server's code, message and hint. */
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /** A raw request with the token (for streams). */
  open(path: string, init: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response>;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:7878';

/**
 * The server and token from flags and the environment: `--server` or WARDEN_SERVER, the token from
 * WARDEN_TOKEN or `--token-file` (never a flag of its own: a command line is visible to every user
 * of the machine).
 */
export function serverFromFlags(
  flags: {
    server?: string | undefined;
    'token-file'?: string | undefined;
    'ca-file'?: string | undefined;
    'client-cert'?: string | undefined;
    'client-key'?: string | undefined;
  },
  io: { env: NodeJS.ProcessEnv; cwd: string },
): ServerClient {
  const text = flags.server ?? io.env.WARDEN_SERVER ?? DEFAULT_SERVER;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WardenError('usage', `--server "${text}" is not a URL`, { hint: `e.g. ${DEFAULT_SERVER}` });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WardenError('usage', `--server must be an http:// or https:// URL, got "${text}"`);
  }
  if (url.username || url.password) {
    throw new WardenError('usage', '--server must not carry a user or password', {
      hint: 'put the API token in WARDEN_TOKEN',
    });
  }
  const token = flags['token-file'] ? readToken(resolve(io.cwd, flags['token-file'])) : io.env.WARDEN_TOKEN;
  if (!token?.trim()) {
    throw new WardenError('usage', 'no API token', {
      hint: 'set WARDEN_TOKEN (or --token-file FILE) to a token of the server (wdn_…)',
    });
  }
  return createServerClient(url.toString().replace(/\/+$/, ''), token.trim(), clientTlsFrom(flags, io));
}

function readToken(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new WardenError('usage', `--token-file ${file} ${fileProblem(error)}`);
  }
}

/** A client of one server; `tls` names the CA it trusts and the certificate it presents, when any. */
export function createServerClient(url: string, token: string, tls: ClientTls = {}): ServerClient {
  const dispatcher = tlsDispatcher(tls);
  const open = async (
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal },
  ): Promise<Response> => {
    try {
      return await fetch(`${url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...init.headers },
        // undici's own Agent, which the fetch built into Node takes as its dispatcher.
        ...(dispatcher ? ({ dispatcher } as object) : {}),
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      const tlsFailure = await explainTlsFailure(error, url, tls);
      if (tlsFailure) throw tlsFailure;
      const cause = messageOf((error as { cause?: unknown }).cause ?? error);
      throw new WardenError('server.unreachable', `cannot reach the server at ${url}: ${cause}`, {
        hint: 'is warden serve running there? (--server URL or WARDEN_SERVER)',
      });
    }
  };
  return {
    url,
    open,
    async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
      const response = await open(path, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (!response.ok) throw apiError(response.status, json, url);
      return json as T;
    },
  };
}

/** The server's `{error: {code, message, hint}}` as a WardenError a person can act on. */
function apiError(status: number, body: unknown, url: string): WardenError {
  const error = (body as { error?: { code?: unknown; message?: unknown; hint?: unknown } } | undefined)
    ?.error;
  const code = typeof error?.code === 'string' ? error.code : `http.${status}`;
  const message = typeof error?.message === 'string' ? error.message : `the server answered ${status}`;
  const hint =
    status === 401
      ? 'WARDEN_TOKEN is not a valid token of this server'
      : typeof error?.hint === 'string'
        ? error.hint
        : undefined;
  return new WardenError(code, `${url}: ${message}`, hint ? { hint } : {});
}
