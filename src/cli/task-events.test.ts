import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import type { WardenEvent } from '../agent/events.ts';
import { createServerClient } from './server-client.ts';
import { followTaskEvents } from './task-events.ts';

const event = (seq: number) =>
  ({
    v: 1,
    session: 't1',
    seq,
    time: '2026-01-01T00:00:00Z',
    type: 'user.message',
    text: `m${seq}`,
    from: 'a',
  }) as WardenEvent;

/**
 * An event stream that breaks: each connection sends the events after its Last-Event-ID, but only
 * `cuts[i]` of them before the i-th connection drops; the last connection ends the task.
 */
async function breakingServer(total: number, cuts: number[]) {
  const seen: string[] = [];
  /** The last event each connection sent whole. */
  const reached: number[] = [];
  let connection = 0;
  const server = createServer((request, response) => {
    seen.push(String(request.headers['last-event-id']));
    const after = Number(request.headers['last-event-id'] ?? 0);
    const cut = cuts[connection++];
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.write(': ping\n\n');
    let sent = 0;
    reached.push(after);
    for (let seq = after + 1; seq <= total; seq++) {
      if (cut !== undefined && sent === cut) {
        // Half a message, then the connection is gone: what arrived whole counts, no more.
        response.write(`id: ${seq}\ndata: {"trunc`, () => response.destroy());
        return;
      }
      response.write(`id: ${seq}\ndata: ${JSON.stringify(event(seq))}\n\n`);
      sent++;
      reached[reached.length - 1] = seq;
    }
    response.end('event: end\ndata: {"status":"succeeded"}\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, reached, close: () => new Promise((resolve) => server.close(resolve)) };
}

test('a broken event stream is reopened after the last whole event: every event once, in order', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 40 }),
      fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 4 }),
      async (total, cuts) => {
        const server = await breakingServer(total, cuts);
        try {
          const got: number[] = [];
          const problems: string[] = [];
          let status: string | undefined;
          await followTaskEvents(createServerClient(server.url, 'wdn_x'), 't1', {
            onEvent: (e) => got.push(e.seq),
            onEnd: (s) => {
              status = s;
            },
            onReconnect: (problem) => problems.push(problem),
            signal: new AbortController().signal,
            retryMs: 1,
          });
          assert.deepEqual(
            got,
            Array.from({ length: total }, (_, i) => i + 1),
          );
          assert.equal(status, 'succeeded');
          // The first stream asked from the start; each reopening, after the last whole event.
          assert.deepEqual(server.seen, ['0', ...server.reached.slice(0, -1).map(String)]);
          assert.equal(problems.length, server.seen.length - 1);
        } finally {
          await server.close();
        }
      },
    ),
    { numRuns: 25 },
  );
});

test('a stream refused at once (no such task) is an error, not a retry', async () => {
  const server = createServer((_request, response) => {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { code: 'not_found', message: 'task "t1" not found' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await assert.rejects(
      followTaskEvents(createServerClient(url, 'wdn_x'), 't1', {
        onEvent: () => {},
        onEnd: () => {},
        signal: new AbortController().signal,
        retryMs: 1,
      }),
      /task "t1" not found/,
    );
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
