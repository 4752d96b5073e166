/**
 * A git smart-HTTP server on 127.0.0.1 for tests: requests that carry the right `Authorization:
 * Basic` go to the real `git http-backend` (as CGI, spawned with argv and a CGI environment) for the
 * repositories under `projectRoot`; any other request gets 401. Every request is recorded, with
 * whether it was authorised.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpRequest {
  method: string;
  path: string;
  authorized: boolean;
}

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  requests: GitHttpRequest[];
  close(): Promise<void>;
}

export async function startGitHttpServer(options: {
  projectRoot: string;
  username: string;
  token: string;
}): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`${options.username}:${options.token}`).toString('base64')}`;
  const requests: GitHttpRequest[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorized = req.headers.authorization === expected;
    requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, authorized });
    if (!authorized) {
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="warden-test"' });
      res.end('authentication required\n');
      return;
    }
    runGitHttpBackend(req, res, { projectRoot: options.projectRoot, remoteUser: options.username });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Hands one smart-HTTP request to the real `git http-backend` (as CGI) for the repositories under
 * `projectRoot`. `remoteUser` is set only for an authenticated caller: it is what lets http-backend
 * accept a push.
 */
export function runGitHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  options: { projectRoot: string; remoteUser?: string },
): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const cgi = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_PROJECT_ROOT: options.projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
      ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
      ...(options.remoteUser ? { REMOTE_USER: options.remoteUser } : {}),
      REMOTE_ADDR: '127.0.0.1',
    },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  req.pipe(cgi.stdin);
  relayCgi(cgi.stdout, res);
}

/** A CGI response: header lines (with `Status:`), a blank line, the body. */
function relayCgi(out: NodeJS.ReadableStream, res: ServerResponse): void {
  let head = Buffer.alloc(0);
  let headersDone = false;
  out.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else if (name) headers[name] = value;
    }
    res.writeHead(status, headers);
    res.write(head.subarray(end + 4));
  });
  out.on('end', () => res.end());
}
