import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { followEvents, messages, type StreamState } from './web/event-stream.ts';

/** A loopback SSE server whose n-th connection is answered by the n-th handler. */
async function sseServer(handlers: ((req: IncomingMessage, res: ServerResponse) => void)[]) {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    const handler =
      handlers[seen.length] ?? ((_: IncomingMessage, r: ServerResponse) => r.writeHead(500).end());
    seen.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/tasks/t1/events`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const event = (seq: number) => `id: ${seq}\ndata: ${JSON.stringify({ type: 'tool.started', seq })}\n\n`;
const open = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream' });

function follow(url: string) {
  const received: number[] = [];
  const states: StreamState[] = [];
  let ended: unknown;
  const done = new Promise<void>((resolve) => {
    const following = followEvents({
      url,
      headers: () => ({ authorization: 'Bearer wdn_test' }),
      onEvent: (_event, seq) => received.push(seq),
      onEnd: (data) => {
        ended = data;
      },
      onState: (state) => {
        states.push(state);
        if (state === 'ended' || state === 'refused') {
          following.close();
          resolve();
        }
      },
      retryDelayMs: () => 10,
    });
  });
  return { received, states, done, ended: () => ended };
}

test('after a dropped connection the stream resumes with Last-Event-ID; nothing is lost or shown twice', async () => {
  const server = await sseServer([
    (_req, res) => {
      open(res);
      res.write(`: ping\n\n${event(1)}${event(2)}`);
      // The connection dies mid-task, as a proxy or a network would cut it.
      setTimeout(() => res.destroy(), 20);
    },
    (_req, res) => {
      open(res);
      // The server replays from Last-Event-ID; an overlap must not be delivered again.
      res.end(`${event(2)}${event(3)}event: end\ndata: {"status":"succeeded"}\n\n`);
    },
  ]);
  const followed = follow(server.url);
  await followed.done;
  await server.close();
  assert.deepEqual(followed.received, [1, 2, 3]);
  assert.deepEqual(followed.ended(), { status: 'succeeded' });
  assert.equal(server.seen[0]?.headers['last-event-id'], undefined);
  assert.equal(server.seen[1]?.headers['last-event-id'], '2');
  assert.equal(server.seen[1]?.headers.authorization, 'Bearer wdn_test');
  assert.deepEqual(followed.states, ['connecting', 'live', 'retrying', 'live', 'ended']);
});

test('a refused request (401, 403, 404) is not retried', async () => {
  const server = await sseServer([(_req, res) => res.writeHead(403).end('{}')]);
  const followed = follow(server.url);
  await followed.done;
  await server.close();
  assert.deepEqual(followed.states, ['connecting', 'refused']);
  assert.equal(server.seen.length, 1);
});

test('SSE parsing: CRLF lines, multi-line data, comments and fields without a space', async () => {
  const chunks = ['id:7\r\ndata: {"a":\r\n', 'data: 1}\r\n\r\n: keep-alive\n\nevent: end\ndata:{}\n\n'];
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
  const parsed = [];
  for await (const message of messages(body)) parsed.push(message);
  assert.deepEqual(parsed, [
    { id: '7', data: '{"a":\n1}' },
    { event: 'end', data: '{}' },
  ]);
});
