import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { type AdmitTarget, errorText } from './egress-admit.ts';
import { normalizeHost, splitHostPort } from './egress-allow.ts';
import type { NetRecord } from './egress-proxy.ts';

/** Reports a request's outcome; the proxy makes each one report at most once. */
export type Recorder = (fields: Partial<NetRecord> & { allowed: boolean }) => void;

/** A CONNECT tunnel (HTTPS and anything else over TCP) to an allowed host:port, bytes counted both ways. */
export async function openTunnel(
  req: http.IncomingMessage,
  client: Duplex,
  head: Buffer,
  record: Recorder,
  admitTarget: AdmitTarget,
  connectTimeoutMs: number,
): Promise<void> {
  client.on('error', () => {});
  const split = splitHostPort(req.url ?? '');
  const target = split === undefined ? undefined : normalizeHost(split.rawHost);
  if (split === undefined || split.port === undefined || target === undefined) {
    record({ allowed: false, reason: `malformed CONNECT target ${JSON.stringify(req.url ?? '')}` });
    rawReply(client, 400, 'Warden proxy: CONNECT needs host:port');
    return;
  }
  const where = { host: target.host, port: split.port };
  const gate = await admitTarget(target, split.port, 'CONNECT');
  if (!gate.ok) {
    record({ ...where, allowed: gate.allowed, reason: gate.reason });
    rawReply(client, gate.status, gate.message);
    return;
  }

  let bytesUp = head.length;
  let bytesDown = 0;
  let established = false;
  const upstream = net.connect({ host: gate.address, port: split.port });
  const timer = setTimeout(() => upstream.destroy(new Error('connect timed out')), connectTimeoutMs);
  let failure: string | undefined;
  upstream.on('error', (error) => {
    failure = `upstream: ${errorText(error)}`;
  });
  upstream.once('connect', () => {
    clearTimeout(timer);
    established = true;
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) upstream.write(head);
    client.on('data', (chunk: Buffer) => {
      bytesUp += chunk.length;
    });
    upstream.on('data', (chunk: Buffer) => {
      bytesDown += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const end = (): void => {
    clearTimeout(timer);
    if (!established && failure !== undefined && !client.destroyed) {
      rawReply(client, 502, `Warden proxy: ${where.host}:${where.port} could not be reached (${failure})`);
    } else {
      client.destroy();
    }
    upstream.destroy();
    record({
      ...where,
      allowed: true,
      bytesUp,
      bytesDown,
      ...(failure === undefined ? {} : { reason: failure }),
    });
  };
  upstream.on('close', end);
  client.on('close', end);
}

/** A complete response written on a raw socket (CONNECT and parse errors have no ServerResponse). */
export function rawReply(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message.replace(/[\r\n]+/g, ' ')}\n`;
  const head = `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
  socket.end(head + body);
}
