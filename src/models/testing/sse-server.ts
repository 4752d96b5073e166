/**
 * A loopback HTTP server for wire tests: it records every request and answers each with the
 * next scripted reply, streamed chunk by chunk the way a provider streams. Shared by the
 * provider tests (SSE for OpenAI, Anthropic, chat completions; binary event streams for Bedrock).
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/v1/responses`. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Written one by one, so the client sees a stream, not one buffer. */
  chunks: Array<string | Uint8Array>;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  requests: RecordedRequest[];
  /** Forget the requests so far and answer the next ones with these replies, in order. */
  serve(replies: Reply[]): void;
  close(): Promise<void>;
}

export interface SseEvent {
  /** The `event:` line; omitted for streams that only send `data:` (chat completions). */
  event?: string;
  /** Serialised as JSON unless already a string (e.g. `[DONE]`). */
  data: unknown;
}

export function sseReply(events: SseEvent[], headers: Record<string, string> = {}): Reply {
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers },
    chunks: events.map(({ event, data }) => {
      const payload = typeof data === 'string' ? data : JSON.stringify(data);
      return `${event === undefined ? '' : `event: ${event}\n`}data: ${payload}\n\n`;
    }),
  };
}

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    chunks: [JSON.stringify(body)],
  };
}

/** The request body parsed as JSON (providers send JSON). */
export function requestJson(request: RecordedRequest | undefined): Record<string, unknown> {
  if (request === undefined) throw new Error('no such request was received');
  return JSON.parse(request.body) as Record<string, unknown>;
}

/**
 * Start on 127.0.0.1 with a free port. `replies` is either the replies in order (a request past
 * the end gets a 500 that names the problem) or a function choosing one per request.
 */
export async function startLoopbackServer(
  replies: Reply[] | ((request: RecordedRequest, index: number) => Reply),
): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  let scripted = replies;
  const server = createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (chunk: Buffer) => body.push(chunk));
    req.on('end', async () => {
      const request: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(body).toString('utf8'),
      };
      const index = requests.push(request) - 1;
      const reply =
        typeof scripted === 'function'
          ? scripted(request, index)
          : (scripted[index] ?? jsonReply(500, { error: `no reply scripted for request ${index + 1}` }));
      res.writeHead(reply.status, reply.headers);
      for (const chunk of reply.chunks) {
        res.write(chunk);
        // Let each chunk leave as its own TCP write, like a live stream.
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    serve(next) {
      requests.length = 0;
      scripted = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
