import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { messageOf } from '../errors.ts';
import { pgConnection } from '../store/pg-tls.ts';
import { createLocalTaskBus, type TaskBus, type TaskNotice } from './task-bus.ts';

export interface PgTaskBus extends TaskBus {
  close(): Promise<void>;
}

const CHANNEL = 'warden_tasks';
/** NOTIFY payloads are limited to 8000 bytes; ours are ids and short strings. */
const MAX_PAYLOAD = 7900;

/**
 * The task bus across processes: LISTEN/NOTIFY on one channel. A notice reaches this process's own
 * listeners at once, as on the local bus, and every other process through PostgreSQL. Notices carry
 * ids, never objects: an event travels as `stored` (up to which sequence number), and whoever needs
 * it reads it from the store, where it already is.
 *
 * Notices published in one tick go in one statement, in order. A listening connection that drops is
 * reopened; its listeners are then told to catch up from the store, since notices sent meanwhile
 * were lost.
 */
export async function openPgTaskBus(options: {
  url: string;
  pool: pg.Pool;
  log: (line: string) => void;
}): Promise<PgTaskBus> {
  const { pool, log } = options;
  const origin = randomUUID();
  const local = createLocalTaskBus();
  const subscribed = new Map<string, number>();
  let outbox: string[] = [];
  let sending: Promise<void> | undefined;
  let closed = false;
  let listener: pg.Client | undefined;

  const deliver = (payload: string) => {
    let message: { o: string; t: string; n: TaskNotice };
    try {
      message = JSON.parse(payload);
    } catch {
      return;
    }
    if (message.o === origin || !subscribed.has(message.t)) return;
    local.publish(message.t, message.n);
  };

  const listen = async (): Promise<void> => {
    const client = new pg.Client({ ...pgConnection(options.url), keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) deliver(message.payload);
    });
    client.on('error', (error) => {
      log(`task bus: the listening connection failed (${error.message}); reconnecting`);
      void client.end().catch(() => undefined);
      if (listener === client) listener = undefined;
      void reconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    listener = client;
  };

  const reconnect = async () => {
    for (let delay = 250; !closed; delay = Math.min(delay * 2, 5000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (closed) return;
      try {
        await listen();
        for (const taskId of subscribed.keys()) {
          local.publish(taskId, { kind: 'stored', seq: Number.MAX_SAFE_INTEGER });
        }
        return;
      } catch (error) {
        log(`task bus: cannot listen yet: ${messageOf(error)}`);
      }
    }
  };

  const flush = () => {
    if (sending || outbox.length === 0 || closed) return;
    const batch = outbox;
    outbox = [];
    sending = pool
      .query(
        'SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS n(payload, i) ORDER BY i',
        [CHANNEL, batch],
      )
      .then(
        () => undefined,
        (error: unknown) => log(`task bus: ${batch.length} notice(s) not sent: ${messageOf(error)}`),
      )
      .finally(() => {
        sending = undefined;
        flush();
      });
  };

  await listen();

  return {
    publish(taskId, notice) {
      local.publish(taskId, notice);
      const remote: TaskNotice = notice.kind === 'event' ? { kind: 'stored', seq: notice.event.seq } : notice;
      const payload = JSON.stringify({ o: origin, t: taskId, n: remote });
      if (Buffer.byteLength(payload) > MAX_PAYLOAD) {
        log(`task bus: a notice for ${taskId} is too large to send (${remote.kind})`);
        return;
      }
      outbox.push(payload);
      queueMicrotask(flush);
    },
    subscribe(taskId, listen) {
      subscribed.set(taskId, (subscribed.get(taskId) ?? 0) + 1);
      const unsubscribe = local.subscribe(taskId, listen);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        unsubscribe();
        const left = (subscribed.get(taskId) ?? 1) - 1;
        if (left > 0) subscribed.set(taskId, left);
        else subscribed.delete(taskId);
      };
    },
    async close() {
      // What was published before closing still goes out: a drained worker's last status among it.
      while (sending || outbox.length > 0) {
        flush();
        await sending;
      }
      closed = true;
      await listener?.end().catch(() => undefined);
    },
  };
}
