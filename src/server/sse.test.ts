import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { WardenEvent } from '../agent/events.ts';
import { streamEvents } from './sse.ts';
import { createLocalTaskBus } from './task-bus.ts';
import type { TaskStatus } from './task-store.ts';

const event = (seq: number) =>
  ({ v: 1, session: 't1', seq, time: 't', type: 'tool.progress' }) as unknown as WardenEvent;

/** A server streaming task t1 from `stored`, and a reader collecting what a client receives. */
async function harness(
  stored: WardenEvent[],
  status: TaskStatus,
  after = 0,
  heartbeatMs = 10_000,
  stillAllowed?: () => Promise<boolean>,
) {
  const bus = createLocalTaskBus();
  let current = status;
  const server = createServer((_req, res) => {
    void streamEvents(res, {
      taskId: 't1',
      after,
      read: async (from, limit) => stored.filter((e) => e.seq > from).slice(0, limit),
      status: async () => current,
      bus,
      heartbeatMs,
      ...(stillAllowed ? { stillAllowed } : {}),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  let text = '';
  const finished = (async () => {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>)
      text += Buffer.from(chunk).toString();
  })();
  const ids = () => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  return {
    bus,
    response,
    finished,
    ids,
    text: () => text,
    setStatus: (s: TaskStatus) => {
      current = s;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(check());
};

test('history first, then live events; none twice; the end event when the task ends', async () => {
  const stored = [event(1), event(2)];
  const h = await harness(stored, 'running');
  assert.equal(h.response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  await until(() => h.ids().length === 2);
  // A live event that is also in the store already is sent once.
  stored.push(event(3));
  h.bus.publish('t1', { kind: 'event', event: event(2) });
  h.bus.publish('t1', { kind: 'event', event: event(3) });
  await until(() => h.ids().length === 3);
  h.setStatus('succeeded');
  h.bus.publish('t1', { kind: 'status', status: 'succeeded' });
  await h.finished;
  assert.deepEqual(h.ids(), [1, 2, 3]);
  assert.match(h.text(), /event: end\ndata: \{"status":"succeeded"\}\n\n$/);
  await h.close();
});

test('resumes after the given sequence number, and fills a gap from the store', async () => {
  const stored = [event(1), event(2), event(3)];
  const h = await harness(stored, 'running', 2);
  await until(() => h.ids().length === 1);
  stored.push(event(4), event(5));
  // Only 5 is heard live: 4 must come from the store, in order.
  h.bus.publish('t1', { kind: 'event', event: event(5) });
  await until(() => h.ids().length === 3);
  assert.deepEqual(h.ids(), [3, 4, 5]);
  h.bus.publish('t1', { kind: 'status', status: 'failed' });
  await h.finished;
  await h.close();
});

test('an ended task streams its history and closes at once', async () => {
  const h = await harness([event(1)], 'cancelled');
  await h.finished;
  assert.deepEqual(h.ids(), [1]);
  assert.match(h.text(), /"status":"cancelled"/);
  await h.close();
});

test('comment lines keep an idle stream alive', async () => {
  const h = await harness([], 'running', 0, 20);
  await until(() => (h.text().match(/^: ping$/gm) ?? []).length >= 2);
  h.bus.publish('t1', { kind: 'status', status: 'succeeded' });
  await h.finished;
  await h.close();
});

test('a client resuming at the last event gets the stream’s headers at once, not at the first ping', {
  timeout: 5000,
}, async () => {
  const started = performance.now();
  const h = await harness([event(1)], 'waiting_approval', 1, 10_000);
  assert.ok(performance.now() - started < 2000, 'headers before any event or heartbeat');
  assert.equal(h.response.status, 200);
  h.bus.publish('t1', { kind: 'status', status: 'cancelled' });
  await h.finished;
  assert.deepEqual(h.ids(), []);
  await h.close();
});

test('a stream whose token is revoked is closed at the next heartbeat', async () => {
  let allowed = true;
  const h = await harness([event(1)], 'running', 0, 20, async () => allowed);
  await until(() => h.ids().length === 1);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.ok(h.text().includes(': ping'), 'still open while the token is good');
  allowed = false;
  await Promise.race([
    h.finished.catch(() => undefined),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the stream stayed open')), 2000)),
  ]);
  await h.close();
});

test('a reader that does not read holds back the history: pages are not read ahead of the socket', async () => {
  const stored = Array.from({ length: 5000 }, (_, i) => ({
    ...event(i + 1),
    padding: 'x'.repeat(2000),
  })) as unknown as WardenEvent[];
  let pages = 0;
  const bus = createLocalTaskBus();
  const server = createServer((_req, res) => {
    void streamEvents(res, {
      taskId: 't1',
      after: 0,
      read: async (from, limit) => {
        pages += 1;
        return stored.filter((e) => e.seq > from).slice(0, limit);
      },
      status: async () => 'running',
      bus,
      heartbeatMs: 10_000,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { request } = await import('node:http');
  const req = request({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' });
  req.end();
  const response = await new Promise<import('node:http').IncomingMessage>((resolve) =>
    req.on('response', resolve),
  );
  response.pause();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(pages < 10, `read ${pages} pages of 10 for a reader that read nothing`);
  req.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
