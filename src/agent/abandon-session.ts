import { asSessionState, type SessionState } from '../store/session-state.ts';
import type { SessionStore } from '../store/session-store.ts';
import { createEventStream } from './event-stream.ts';
import type { Report } from './events.ts';
import { type LaunchOptions, openRecorder } from './launch.ts';
import { createSessionJournal, replayUnaudited } from './session-journal.ts';

/**
 * Ends a session that will never run again — its process died, and its host starts the work over
 * rather than resuming it (an evaluation's trial) — as a cancelled session: the events the store
 * holds and the log lacks are appended, then `session.finished` saying why, and the log's final
 * signed digest. Without this the log would read as cut off forever. True when it ended one; a
 * session already finished, or unknown, is left as it is.
 */
export async function closeAbandonedSession(options: {
  store: SessionStore | SessionState;
  audit: NonNullable<LaunchOptions['audit']>;
  sessionId: string;
  reason: string;
}): Promise<boolean> {
  const store = asSessionState(options.store);
  const { sessionId } = options;
  const session = await store.get(sessionId);
  if (session?.status !== 'running') return false;
  const recorder = await openRecorder(options.audit, sessionId);
  try {
    await replayUnaudited(store, sessionId, recorder);
    const journal = createSessionJournal({ state: store, sessionId, recorder, stored: [] });
    const events = createEventStream(sessionId, [journal.sink], await store.lastSeq(sessionId));
    const report = abandonedReport(options.reason);
    events.emit({ type: 'session.finished', report });
    await journal.drain();
    await store.finish(sessionId, report);
    return true;
  } finally {
    await recorder.close();
  }
}

function abandonedReport(reason: string): Report {
  return {
    status: 'cancelled',
    reason,
    summary: reason,
    filesChanged: [],
    diffStat: { files: 0, added: 0, removed: 0 },
    commands: [],
    tokens: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
    cost: undefined,
    byModel: {},
    durationMs: 0,
    turns: 0,
    toolCalls: 0,
    toolErrors: 0,
    denials: 0,
  };
}
