import type { SessionState } from '../store/session-state.ts';
import type { Checkpoint } from '../store/session-store.ts';
import type { AuditRecorder } from './audit-recorder.ts';
import type { EventSink, WardenEvent } from './events.ts';

/**
 * The session's record, kept in one order whatever the stores are: each event goes first to the
 * session store, then to the audit log, then to the sinks that tell other processes about it (a
 * server's bus). So, whenever the process dies:
 * - an event anyone was told about is stored, and a stream resumed from the store repeats nothing;
 * - the events stored are a prefix of those emitted, numbered without a gap;
 * - the audit log holds a prefix of the stored events; on resume the rest are written to it from
 *   the store (`replayUnaudited`), so it ends up with every one, once, in order;
 * - a checkpoint never counts an event that is not stored.
 * Events that arrive while a write is in flight go together in the next (one INSERT in PostgreSQL).
 * After a failed write nothing more is written — a gap would follow — and `durable()` rejects, so
 * no effect happens that is not on record.
 */
export interface SessionJournal {
  sink: EventSink;
  /** Written after every event emitted before it. */
  checkpoint(checkpoint: Checkpoint): void;
  /** Resolves once everything emitted so far is stored and durable in the audit log. */
  durable(): Promise<void>;
  /** Waits for every write; rejects with the first failure. */
  drain(): Promise<void>;
}

export function createSessionJournal(options: {
  state: SessionState;
  sessionId: string;
  recorder: AuditRecorder | undefined;
  /** Told of each event once it is stored. */
  stored: EventSink[];
}): SessionJournal {
  const { state, sessionId, recorder } = options;
  let chain: Promise<void> = Promise.resolve();
  let pending: WardenEvent[] = [];
  let scheduled = false;
  let failure: unknown;

  const write = (step: () => Promise<void>) => {
    chain = chain
      .then(() => (failure === undefined ? step() : undefined))
      .catch((error: unknown) => {
        failure ??= error;
      });
  };
  const writeEvents = async () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    await state.appendEvents(batch);
    for (const event of batch) {
      recorder?.sink(event);
      for (const sink of options.stored) {
        try {
          sink(event);
        } catch {
          // A listener that breaks (a closed stream) does not unmake the record.
        }
      }
    }
  };

  return {
    sink(event) {
      pending.push(event);
      if (scheduled) return;
      scheduled = true;
      write(writeEvents);
    },
    checkpoint(checkpoint) {
      write(() => state.checkpoint(sessionId, checkpoint));
    },
    async durable() {
      await chain;
      if (failure !== undefined) throw failure;
      await recorder?.durable();
    },
    async drain() {
      await chain;
      if (failure !== undefined) throw failure;
    },
  };
}

/**
 * After a crash, the audit log may lack the last events the store has (they are written to it
 * second): they are appended now, before the resumed run adds its own, from the stored copies.
 */
export async function replayUnaudited(
  state: SessionState,
  sessionId: string,
  recorder: AuditRecorder,
): Promise<number> {
  let after = recorder.auditedThrough;
  // A log this process holds no key to read: where it stopped is unknown, and guessing would
  // duplicate or drop records. The chain itself continues either way.
  if (after === undefined) return 0;
  let replayed = 0;
  for (;;) {
    const page = await state.eventsAfter(sessionId, after, 500);
    for (const event of page) recorder.sink(event);
    replayed += page.length;
    const last = page.at(-1);
    if (!last || page.length < 500) break;
    after = last.seq;
  }
  await recorder.durable();
  return replayed;
}
