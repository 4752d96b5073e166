import { chmod, lstat, mkdir } from 'node:fs/promises';
import http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WardenError } from '../errors.ts';
import { type AdmitTarget, createAdmitTarget, errorText } from './egress-admit.ts';
import { normalizeHost, parseAllowList } from './egress-allow.ts';
import { openTunnel, type Recorder, rawReply } from './egress-tunnel.ts';

/**
 * One request or tunnel through the proxy, reported once when it ends. `allowed` is the policy's
 * answer; an allowed request can still fail upstream (`reason` then says how). Bytes are bodies
 * for plain HTTP and raw tunnel bytes for CONNECT. The agent maps this to the `net.request` event.
 */
export interface NetRecord {
  host: string;
  port: number;
  method: string;
  allowed: boolean;
  bytesUp: number;
  bytesDown: number;
  durationMs: number;
  reason?: string;
}

export interface EgressProxyOptions {
  /** Where to listen. Its directory is created 0700 if missing, and must be private if present. */
  socketPath: string;
  /** `network.allow` patterns; see egress-allow.ts. */
  allow: string[];
  onRequest: (record: NetRecord) => void;
  /**
   * Called for an allowed request before anything is sent upstream; the connection is made only
   * once it resolves (write-ahead: the intent is on record first). A rejection refuses it.
   */
  beforeConnect?: (intent: { host: string; port: number; method: string }) => Promise<void>;
  /** How long an upstream TCP connect may take; default 10 s. */
  connectTimeoutMs?: number;
}

export interface EgressProxy {
  close(): Promise<void>;
}

/** Connection-scoped headers (RFC 9110 §7.6.1) plus the proxy's own, which never travel on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The only way out of the sandbox: an HTTP proxy on a unix socket that forwards absolute-form
 * HTTP requests and CONNECT tunnels to hosts the allow list names, refuses everything else with a
 * 403 that says how to allow it, and reports every request exactly once.
 * The resolved address is checked and then connected to directly, so a name cannot pass the check
 * with one answer and connect with another.
 */
export async function startEgressProxy(options: EgressProxyOptions): Promise<EgressProxy> {
  const admitTarget = createAdmitTarget(parseAllowList(options.allow), options.beforeConnect);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  await preparePrivateDirectory(path.dirname(options.socketPath));
  if (await lstat(options.socketPath).catch(() => undefined)) {
    throw badConfig(`the proxy socket ${options.socketPath} already exists`);
  }
  const report = (record: NetRecord): void => {
    try {
      options.onRequest(record);
    } catch {
      // A failing listener must not take the proxy (and every sandboxed command) down with it.
    }
  };
  const recorder = (method: string, started: number): Recorder => {
    let done = false;
    return (fields) => {
      if (done) return;
      done = true;
      report({
        host: '',
        port: 0,
        method,
        bytesUp: 0,
        bytesDown: 0,
        ...fields,
        durationMs: Math.round(performance.now() - started),
      });
    };
  };

  const sockets = new Set<Socket>();
  const server = http.createServer();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const record = recorder(req.method ?? '', performance.now());
    void forwardHttp(req, res, record, admitTarget, connectTimeoutMs);
  });
  server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const record = recorder('CONNECT', performance.now());
    void openTunnel(req, socket, head, record, admitTarget, connectTimeoutMs);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex) => {
    const record = recorder(req.method ?? '', performance.now());
    record({ allowed: false, reason: 'protocol upgrades are not proxied; tunnel with CONNECT' });
    rawReply(socket, 400, 'Warden proxy: protocol upgrades are not proxied; tunnel with CONNECT');
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Resets and timeouts of idle keep-alive connections are not requests; parse errors are.
    if (typeof error.code === 'string' && error.code.startsWith('HPE_')) {
      recorder('', performance.now())({ allowed: false, reason: `malformed request (${error.code})` });
      rawReply(socket, 400, 'Warden proxy: malformed request');
    } else {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(options.socketPath, 0o600);

  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function forwardHttp(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  record: Recorder,
  admitTarget: AdmitTarget,
  connectTimeoutMs: number,
): Promise<void> {
  const url = req.url ?? '';
  const refuse = (
    status: number,
    message: string,
    fields: Partial<NetRecord> & { allowed: boolean },
  ): void => {
    record(fields);
    req.resume();
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
    res.end(`${message}\n`);
  };
  if (!/^http:\/\//i.test(url)) {
    const reason = /^https:\/\//i.test(url)
      ? 'https URLs must be tunnelled with CONNECT'
      : 'only absolute-form http:// requests and CONNECT are proxied';
    refuse(400, `Warden proxy: ${reason}`, { allowed: false, reason });
    return;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    refuse(400, 'Warden proxy: malformed URL', { allowed: false, reason: 'malformed URL' });
    return;
  }
  const port = parsed.port === '' ? 80 : Number(parsed.port);
  const target = normalizeHost(parsed.hostname);
  const where = { host: target?.host ?? parsed.hostname, port };
  const gate = await admitTarget(target, port, req.method ?? 'GET');
  if (!gate.ok) {
    refuse(gate.status, gate.message, { ...where, allowed: gate.allowed, reason: gate.reason });
    return;
  }

  let bytesUp = 0;
  let bytesDown = 0;
  const headers: string[] = [];
  for (const [name, value] of headerPairs(req.rawHeaders)) {
    if (name.toLowerCase() !== 'host') headers.push(name, value);
  }
  headers.push('Host', parsed.host);
  const upstream = http.request({
    host: gate.address,
    port,
    method: req.method,
    path: `${parsed.pathname}${parsed.search}`,
    headers,
    setHost: false,
    agent: false,
  });
  const timer = setTimeout(() => upstream.destroy(new Error('connect timed out')), connectTimeoutMs);
  upstream.on('socket', (socket: Socket) => socket.once('connect', () => clearTimeout(timer)));
  req.on('data', (chunk: Buffer) => {
    bytesUp += chunk.length;
  });
  req.pipe(upstream);
  upstream.on('response', (answer: http.IncomingMessage) => {
    const back: string[] = [];
    for (const [name, value] of headerPairs(answer.rawHeaders)) back.push(name, value);
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, back);
    answer.on('data', (chunk: Buffer) => {
      bytesDown += chunk.length;
    });
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  upstream.on('error', (error: Error) => {
    clearTimeout(timer);
    const reason = `upstream: ${errorText(error)}`;
    if (res.headersSent) {
      record({ ...where, allowed: true, bytesUp, bytesDown, reason });
      res.destroy();
    } else {
      refuse(502, `Warden proxy: ${where.host}:${port} could not be reached (${errorText(error)})`, {
        ...where,
        allowed: true,
        bytesUp,
        reason,
      });
    }
  });
  res.on('close', () => {
    clearTimeout(timer);
    upstream.destroy();
    const complete = res.writableFinished;
    record({
      ...where,
      allowed: true,
      bytesUp,
      bytesDown,
      ...(complete ? {} : { reason: 'connection closed early' }),
    });
  });
}
/** Name/value pairs of raw headers minus hop-by-hop ones, including any the Connection header names. */
function headerPairs(raw: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] ?? '', raw[i + 1] ?? '']);
  const named = new Set(
    pairs
      .filter(([name]) => name.toLowerCase() === 'connection')
      .flatMap(([, value]) => value.split(',').map((v) => v.trim().toLowerCase())),
  );
  return pairs.filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase()) && !named.has(name.toLowerCase()));
}

async function preparePrivateDirectory(dir: string): Promise<void> {
  await mkdir(dir, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw badConfig(`cannot create the proxy socket directory ${dir}`, error);
  });
  const stat = await lstat(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
    throw badConfig(`the proxy socket directory ${dir} must be a directory of ours with mode 0700`);
  }
}

function badConfig(message: string, cause?: unknown): WardenError {
  return new WardenError('sandbox.bad-config', message, {
    where: 'egress proxy',
    ...(cause === undefined ? {} : { cause }),
  });
}
