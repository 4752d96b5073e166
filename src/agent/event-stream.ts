import { EVENT_SCHEMA_VERSION, type EventBody, type EventSink, type WardenEvent } from './events.ts';

/** Stamps each event body with the envelope and hands it to every sink, in order. */
export interface EventStream {
  emit(body: EventBody): WardenEvent;
  readonly lastSeq: number;
}

/**
 * `clean` runs on every body before any sink sees it: the redactor, so that no sink — store, audit
 * log, terminal, JSON lines — can receive a secret.
 */
export function createEventStream(
  session: string,
  sinks: EventSink[],
  startAfterSeq = 0,
  clean: (body: EventBody) => EventBody = (body) => body,
): EventStream {
  let seq = startAfterSeq;
  return {
    emit(body) {
      seq += 1;
      const event = {
        ...clean(body),
        v: EVENT_SCHEMA_VERSION,
        session,
        seq,
        time: new Date().toISOString(),
      } as WardenEvent;
      for (const sink of sinks) sink(event);
      return event;
    },
    get lastSeq() {
      return seq;
    },
  };
}
