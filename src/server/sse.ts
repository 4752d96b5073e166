import type { ServerResponse } from 'node:http';
import type { WardenEvent } from '../agent/events.ts';
import type { TaskBus } from './task-bus.ts';
import { type TaskStatus, TERMINAL_STATUSES } from './task-store.ts';

export interface EventStreamOptions {
  taskId: string;
  /** Events already delivered: the stream starts after this sequence number. */
  after: number;
  /** Stored events after a sequence number, in order, at most `limit`. */
  read: (after: number, limit: number) => Promise<WardenEvent[]>;
  status: () => Promise<TaskStatus | undefined>;
  bus: TaskBus;
  heartbeatMs: number;
  /** Asked at each heartbeat: a stream whose token was revoked (or reader lost access) is closed. */
  stillAllowed?: () => Promise<boolean>;
}

const PAGE = 500;

/**
 * A task's events as Server-Sent Events: the stored history after `after`, then live events as the
 * session emits them, each with its sequence number as `id:` so a client resumes with
 * Last-Event-ID. Listening starts before history is read and live events are numbered, so nothing
 * falls between the two and nothing is sent twice. Ends with `event: end` once the task has ended.
 */
export async function streamEvents(response: ServerResponse, options: EventStreamOptions): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    // Proxies such as nginx would otherwise hold events back in their buffers.
    'x-accel-buffering': 'no',
  });
  // Sent now, not with the first event: a client resuming at the end would otherwise wait a heartbeat.
  response.flushHeaders();
  let sent = options.after;
  let closed = false;
  let ended: TaskStatus | undefined;
  let live: WardenEvent[] = [];
  let behind = false;
  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  const unsubscribe = options.bus.subscribe(options.taskId, (notice) => {
    if (notice.kind === 'event') live.push(notice.event);
    else if (notice.kind === 'stored') behind ||= notice.seq > sent;
    else if (notice.kind === 'status' && TERMINAL_STATUSES.has(notice.status)) ended = notice.status;
    else return;
    poke();
  });
  let drained: (() => void) | undefined;
  const heartbeat = setInterval(() => {
    response.write(': ping\n\n');
    void options.stillAllowed?.().then(
      (allowed) => {
        if (!allowed) response.destroy();
      },
      () => response.destroy(),
    );
  }, options.heartbeatMs);
  response.on('close', () => {
    closed = true;
    poke();
    drained?.();
  });
  response.on('drain', () => drained?.());

  const send = async (event: WardenEvent) => {
    if (event.seq <= sent || closed) return;
    const flushed = response.write(`id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`);
    sent = event.seq;
    // A slow reader: no more history is read (into memory) until the socket takes what it has.
    if (!flushed && !closed) await new Promise<void>((resolve) => (drained = resolve));
    drained = undefined;
  };
  const catchUp = async () => {
    while (!closed) {
      const page = await options.read(sent, PAGE);
      for (const event of page) await send(event);
      if (page.length < PAGE) return;
    }
  };

  try {
    await catchUp();
    const status = await options.status();
    if (status && TERMINAL_STATUSES.has(status)) ended = status;
    while (!closed) {
      if (behind) {
        behind = false;
        await catchUp();
      }
      const batch = live;
      live = [];
      for (const event of batch) {
        // A gap means an event reached the store but not this listener: fetch it from there.
        if (event.seq > sent + 1) await catchUp();
        await send(event);
      }
      if (ended && !closed) {
        await catchUp();
        response.write(`event: end\ndata: ${JSON.stringify({ status: ended })}\n\n`);
        break;
      }
      if (live.length === 0 && !behind) await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    clearInterval(heartbeat);
    unsubscribe();
    response.end();
  }
}
