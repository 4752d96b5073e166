import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the server answers `tools/call` (and, for `initialize`, the first request). */
export type Flood =
  /** One SSE `data:` line that never ends. */
  | 'endless-sse'
  /** A JSON body that never ends. */
  | 'endless-json'
  /** `events` log notifications of `eventBytes` each, then the result: a healthy long answer. */
  | 'many-events';

export interface FloodingServer {
  /** `http://127.0.0.1:PORT/mcp` */
  url: string;
  origin: string;
  /** Each flooding answer ends when the client goes: this resolves with the bytes written by then. */
  floods: Promise<number>[];
  close(): Promise<void>;
}

export interface FloodOptions {
  /** What `tools/call` gets. */
  call: Flood;
  /** What `initialize` gets: a proper answer unless set. */
  initialize?: Flood;
  /** The GET stream: `events` notifications of `eventBytes`, then one event past any limit. */
  stream?: boolean;
  /** Protected-resource metadata (RFC 9728) that never ends, behind a 401 for every MCP request. */
  endlessOAuthMetadata?: boolean;
  events?: number;
  eventBytes?: number;
}

const CHUNK = Buffer.alloc(64 * 1024, 'A');

/**
 * A hand-written Streamable HTTP "MCP server" on 127.0.0.1 that answers the protocol properly
 * except where told to flood: an answer that never ends, to prove the client stops reading it.
 */
export async function startFloodingServer(options: FloodOptions): Promise<FloodingServer> {
  const floods: Promise<number>[] = [];
  const events = options.events ?? 40;
  const eventBytes = options.eventBytes ?? 16 * 1024;
  let origin = '';

  const flood = (req: IncomingMessage, res: ServerResponse, contentType: string, opening: string) => {
    if (!res.headersSent) res.writeHead(200, { 'content-type': contentType });
    res.write(opening);
    let written = opening.length;
    const ended = new Promise<number>((resolve) => res.once('close', () => resolve(written)));
    floods.push(ended);
    const pump = () => {
      while (!res.destroyed) {
        written += CHUNK.length;
        if (!res.write(CHUNK)) return void res.once('drain', pump);
      }
    };
    req.resume();
    pump();
  };

  const answer = (req: IncomingMessage, res: ServerResponse, how: Flood, id: unknown, result: unknown) => {
    if (how === 'endless-sse') return flood(req, res, 'text/event-stream', 'event: message\ndata: ');
    if (how === 'endless-json')
      return flood(
        req,
        res,
        'application/json',
        `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"x":"`,
      );
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (let i = 0; i < events; i++) res.write(sse(logNotification(i, eventBytes)));
    res.end(sse({ jsonrpc: '2.0', id, result }));
  };

  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', origin).pathname;
    if (options.endlessOAuthMetadata) {
      if (path.startsWith('/.well-known/oauth-protected-resource'))
        return flood(req, res, 'application/json', '{"resource":"');
      res.writeHead(401, {
        'www-authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp"`,
      });
      return void res.end();
    }
    if (req.method === 'GET') {
      if (!options.stream) return void res.writeHead(405).end();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < events; i++) res.write(sse(logNotification(i, eventBytes)));
      return flood(req, res, 'text/event-stream', '');
    }
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const message = JSON.parse(await text(req)) as {
      id?: unknown;
      method: string;
      params?: { protocolVersion?: string };
    };
    if (message.id === undefined) return void res.writeHead(202).end();
    if (message.method === 'initialize') {
      const result = {
        protocolVersion: message.params?.protocolVersion,
        capabilities: { tools: {}, logging: {} },
        serverInfo: { name: 'flooding', version: '1' },
      };
      if (options.initialize) return answer(req, res, options.initialize, message.id, result);
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
    }
    if (message.method === 'tools/call')
      return answer(req, res, options.call, message.id, { content: [{ type: 'text', text: 'done' }] });
    res.writeHead(200, { 'content-type': 'application/json' });
    const tools = [{ name: 'dump', inputSchema: { type: 'object' } }];
    res.end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { tools } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${origin}/mcp`,
    origin,
    floods,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sse(message: unknown): string {
  return `event: message\ndata: ${JSON.stringify(message)}\n\n`;
}

function logNotification(i: number, bytes: number) {
  return {
    jsonrpc: '2.0',
    method: 'notifications/message',
    params: { level: 'info', data: `${i} ${'x'.repeat(bytes)}` },
  };
}

async function text(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}
