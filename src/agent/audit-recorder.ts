import type { AuditLog } from '../audit/index.ts';
import type { EventSink } from './events.ts';

/**
 * The audit log as one more consumer of the event stream, plus the write-ahead rule: before an
 * effect happens, everything emitted so far — its intent included — must be durable. `durable()`
 * rejects once any append has failed, and then nothing more may act.
 */
export interface AuditRecorder {
  sink: EventSink;
  /**
   * The sequence number of the last event the log held when it was opened: 0 for none, undefined
   * when its payload could not be opened (another master key).
   */
  auditedThrough: number | undefined;
  durable(): Promise<void>;
  /** Writes the final signed digest. */
  close(): Promise<void>;
}

export function createAuditRecorder(log: AuditLog): AuditRecorder {
  let last: Promise<unknown> = Promise.resolve();
  let failure: unknown;
  const previous = log.previous;
  const seq = (previous?.data as { seq?: unknown } | undefined)?.seq;
  return {
    auditedThrough: previous === undefined ? 0 : typeof seq === 'number' ? seq : undefined,
    sink(event) {
      const { type, ...data } = event;
      last = log.append(type, data).catch((error: unknown) => {
        failure ??= error;
      });
    },
    async durable() {
      await last;
      if (failure !== undefined) throw failure;
    },
    async close() {
      await last;
      await log.close();
    },
  };
}
