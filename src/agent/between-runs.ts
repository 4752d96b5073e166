import type { SessionState } from '../store/session-state.ts';
import type { Checkpoint } from '../store/session-store.ts';
import { createEventStream } from './event-stream.ts';
import type { EventBody, EventSink, WardenEvent } from './events.ts';
import { type LaunchOptions, openRecorder } from './launch.ts';
import { createSessionJournal, replayUnaudited } from './session-journal.ts';

export interface BetweenRunsOptions {
  store: SessionState;
  sessionId: string;
  audit?: LaunchOptions['audit'];
  /** Cleans each body before anything sees it, as a run's event stream does. */
  clean?: (body: EventBody) => EventBody;
  /** Told of each event once it is stored. */
  sinks: EventSink[];
}

/**
 * Records events of a session while no run is going (a person's `/undo` in the interactive UI):
 * numbered after the stored ones, stored, then in the signed audit log, exactly as a run's events
 * are, so the next run continues the numbering and `audit verify` sees one unbroken chain. With a
 * checkpoint, it is written after the events (a conversation compacted on request).
 */
export async function recordBetweenRuns(
  options: BetweenRunsOptions,
  bodies: EventBody[],
  checkpoint?: (lastSeq: number) => Checkpoint,
): Promise<WardenEvent[]> {
  const { store, sessionId } = options;
  const recorder = options.audit ? await openRecorder(options.audit, sessionId) : undefined;
  try {
    if (recorder) await replayUnaudited(store, sessionId, recorder);
    const journal = createSessionJournal({ state: store, sessionId, recorder, stored: options.sinks });
    const events = createEventStream(
      sessionId,
      [journal.sink],
      await store.lastSeq(sessionId),
      options.clean,
    );
    const emitted = bodies.map((body) => events.emit(body));
    if (checkpoint) journal.checkpoint(checkpoint(events.lastSeq));
    await journal.durable();
    return emitted;
  } finally {
    await recorder?.close();
  }
}
