import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { type EventSourceMessage, EventSourceParserStream } from 'eventsource-parser/stream';
import fc from 'fast-check';
import { createCredentialStore } from '../broker/credentials.ts';
import { createRedactor } from '../guard/redactor.ts';
import { limitAnswers } from './http-answer-limit.ts';
import { httpTransport } from './http-transport.ts';
import { loginToServer } from './oauth-login.ts';
import { type FloodOptions, startFloodingServer } from './testing/flooding-http-server.ts';

const MiB = 1024 * 1024;
// A guard against hanging, not a timing assertion: every test ends long before.
const GUARD = { timeout: 120_000 };

/** The real fetch, counting the body bytes Warden read off the network. */
function countingFetch(): { fetch: FetchLike; read: () => number } {
  let read = 0;
  const counting: FetchLike = async (input, init) => {
    const response = await fetch(input, init);
    if (response.body === null) return response;
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          read += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    const { status, statusText, headers } = response;
    return new Response(body, { status, statusText, headers });
  };
  return { fetch: counting, read: () => read };
}

async function flooded(flood: FloodOptions, maxAnswerBytes?: number) {
  const server = await startFloodingServer(flood);
  const counted = countingFetch();
  const options = {
    credentials: createCredentialStore([]),
    known: createRedactor().addKnown,
    oauthDir: '/nonexistent',
    fetch: counted.fetch,
    ...(maxAnswerBytes === undefined ? {} : { maxAnswerBytes }),
  };
  const client = new Client({ name: 'warden-test', version: '0' });
  const connect = async () => client.connect(await httpTransport('big', { url: server.url }, options));
  const close = async () => {
    await client.close();
    await server.close();
  };
  return { server, client, connect, close, read: counted.read };
}

const tooLong = (size: string) => (error: Error) =>
  error.message.includes(`MCP server "big" sent an answer longer than ${size}; Warden stopped reading it`);

test(
  'a call answered with one endless SSE line fails with one line naming the server, after little more than 16 MiB; the server is not used again',
  GUARD,
  async () => {
    const { server, client, connect, close, read } = await flooded({ call: 'endless-sse' });
    try {
      await connect();
      await assert.rejects(client.callTool({ name: 'dump', arguments: {} }), tooLong('16 MiB'));
      assert.ok(read() <= 17 * MiB, `read ${read()} bytes`);
      await server.floods[0]; // the server saw Warden hang up
      await assert.rejects(client.listTools(), tooLong('16 MiB'));
      assert.ok(read() <= 17 * MiB);
    } finally {
      await close();
    }
  },
);

test('an endless JSON answer fails the call at the limit', GUARD, async () => {
  const { server, client, connect, close, read } = await flooded({ call: 'endless-json' }, 256 * 1024);
  try {
    await connect();
    await assert.rejects(client.callTool({ name: 'dump', arguments: {} }), tooLong('262144 bytes'));
    assert.ok(read() <= 256 * 1024 + MiB, `read ${read()} bytes`);
    await server.floods[0];
  } finally {
    await close();
  }
});

test(
  'an endless answer to initialize fails the connection with the error (the red team’s host OOM)',
  GUARD,
  async () => {
    for (const initialize of ['endless-sse', 'endless-json'] as const) {
      const { server, connect, close, read } = await flooded({ call: 'many-events', initialize }, MiB);
      try {
        await assert.rejects(connect(), tooLong('1 MiB'));
        assert.ok(read() <= 2 * MiB, `${initialize}: read ${read()} bytes`);
        await server.floods[0];
      } finally {
        await close();
      }
    }
  },
);

test(
  'a long answer of many events, each under the limit, is read whole: the limit is per event',
  GUARD,
  async () => {
    const { client, connect, close } = await flooded(
      { call: 'many-events', events: 40, eventBytes: 16 * 1024 },
      64 * 1024,
    );
    const logged: unknown[] = [];
    client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      async (n) => void logged.push(n.params.data),
    );
    try {
      await connect();
      const result = await client.callTool({ name: 'dump', arguments: {} });
      assert.deepEqual(result.content, [{ type: 'text', text: 'done' }]);
      assert.equal(logged.length, 40, '640 KiB of events came through a 64 KiB limit');
    } finally {
      await close();
    }
  },
);

test(
  'the GET stream lives on through events under the limit; one past it ends the stream and the server',
  GUARD,
  async () => {
    const { server, client, connect, close, read } = await flooded(
      { call: 'many-events', stream: true, events: 30, eventBytes: 16 * 1024 },
      64 * 1024,
    );
    const logged: unknown[] = [];
    client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      async (n) => void logged.push(n.params.data),
    );
    const failed = new Promise<Error>((resolve) => {
      client.onerror = (error) => {
        if (error.message.includes('sent an answer longer than')) resolve(error);
      };
    });
    try {
      await connect();
      assert.ok(tooLong('65536 bytes')(await failed));
      assert.equal(logged.length, 30);
      await server.floods[0];
      assert.ok(read() <= 30 * 17 * 1024 + 64 * 1024 + MiB, `read ${read()} bytes`);
      await assert.rejects(client.listTools(), tooLong('65536 bytes'));
    } finally {
      await close();
    }
  },
);

test(
  'endless OAuth metadata fails the sign-in at 1 MiB, naming the server and where it came from',
  GUARD,
  async () => {
    const server = await startFloodingServer({ call: 'many-events', endlessOAuthMetadata: true });
    const dir = await mkdtemp(join(tmpdir(), 'warden-oauth-flood-'));
    const counted = countingFetch();
    try {
      await assert.rejects(
        loginToServer({
          server: 'big',
          url: server.url,
          dir,
          print: () => {},
          timeoutMs: 5000,
          fetch: counted.fetch,
        }),
        (error: Error) =>
          error.message.includes(
            `MCP server "big" sent an OAuth answer (from ${server.origin}) longer than 1 MiB`,
          ),
      );
      assert.ok(counted.read() <= 2 * MiB, `read ${counted.read()} bytes`);
      await server.floods[0];
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test('an endless token answer is cut at the OAuth limit, however the request is made', GUARD, async () => {
  let pulled = 0;
  const endless: FetchLike = async () =>
    new Response(
      new ReadableStream({
        pull(controller) {
          pulled += 65536;
          controller.enqueue(new Uint8Array(65536).fill(0x20));
        },
      }),
      { headers: { 'content-type': 'application/json' } },
    );
  const fetchFn = limitAnswers(endless, { server: 'big' });
  const response = await fetchFn('https://auth.example/token', {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r' }),
  });
  await assert.rejects(
    response.json(),
    /sent an OAuth answer \(from https:\/\/auth\.example\) longer than 1 MiB/,
  );
  assert.ok(pulled <= 2 * MiB);
  await assert.rejects(fetchFn('https://auth.example/token'), /longer than 1 MiB/);
});

// The SSE framing, against the parser the SDK uses: under the limit nothing changes.

const TERMINATORS = ['\n', '\r', '\r\n'];
const line = fc.oneof(
  fc.constant(''),
  fc.string({ unit: fc.constantFrom('a', 'é', ':', ' ', 'd') }).map((s) => `data: ${s}`),
  fc.string({ maxLength: 5 }).map((s) => `event: ${s.replace(/[\r\n]/g, '')}`),
  fc.string({ maxLength: 5 }).map((s) => `id: ${s.replace(/[\r\n]/g, '')}`),
  fc.constant(': a comment'),
);
const sseText = fc
  .array(fc.tuple(line, fc.constantFrom(...TERMINATORS)), { maxLength: 40 })
  .map((lines) => lines.map(([l, t]) => l + t).join(''));

function chunked(bytes: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...at, bytes.length]) {
    parts.push(bytes.slice(from, cut));
    from = cut;
  }
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

async function parsed(stream: ReadableStream<Uint8Array>): Promise<EventSourceMessage[]> {
  const events: EventSourceMessage[] = [];
  const reader = stream
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return events;
    events.push(value);
  }
}

async function throughLimit(stream: ReadableStream<Uint8Array>, maxAnswerBytes: number) {
  const inner: FetchLike = async () =>
    new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
  const response = await limitAnswers(inner, { server: 'big', maxAnswerBytes })('http://127.0.0.1/mcp', {
    headers: { accept: 'text/event-stream' },
  });
  return response.body as ReadableStream<Uint8Array>;
}

test('under the limit the SSE stream parses to the same events, however it is split into chunks', async () => {
  await fc.assert(
    fc.asyncProperty(sseText, fc.array(fc.nat(), { maxLength: 8 }), async (text, cuts) => {
      const bytes = new TextEncoder().encode(text);
      const direct = await parsed(chunked(bytes, cuts));
      assert.deepEqual(await parsed(await throughLimit(chunked(bytes, cuts), 64 * 1024)), direct);
    }),
  );
});

test('an event past the limit is never passed on: the events before it are, then the stream fails', async () => {
  await fc.assert(
    fc.asyncProperty(
      sseText,
      fc.constantFrom(...TERMINATORS),
      fc.array(fc.nat(), { maxLength: 8 }),
      async (before, end, cuts) => {
        const separated = `${before}\n\n`;
        const text = `${separated}data: ${'x'.repeat(8192)}${end}${end}data: after${end}${end}`;
        const bytes = new TextEncoder().encode(text);
        const expected = await parsed(chunked(new TextEncoder().encode(separated), []));
        const seen: EventSourceMessage[] = [];
        const reader = (await throughLimit(chunked(bytes, cuts), 4096))
          .pipeThrough(new TextDecoderStream())
          .pipeThrough(new EventSourceParserStream())
          .getReader();
        await assert.rejects(async () => {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            seen.push(value);
          }
        }, /longer than 4096 bytes/);
        assert.deepEqual(seen, expected);
      },
    ),
  );
});
