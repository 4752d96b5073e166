import type { Report, WardenEvent } from '../agent/events.ts';
import { type Checkpoint, type SessionRecord, SessionStore } from './session-store.ts';

/**
 * What a running session and its readers need of the session records, asynchronously, so that the
 * SQLite file of one machine and a PostgreSQL database shared by many workers are interchangeable.
 * Writes of one session arrive in order and each is durable when its promise resolves.
 */
export interface SessionState {
  get(id: string): Promise<SessionRecord | undefined>;
  /** A session by id or unique id prefix, as people type them. */
  find(idOrPrefix: string): Promise<SessionRecord | undefined>;
  create(session: { id: string; task: string; model: string; repo: string }): Promise<void>;
  markRunning(id: string, model: string): Promise<void>;
  checkpoint(id: string, checkpoint: Checkpoint): Promise<void>;
  loadCheckpoint(id: string): Promise<Checkpoint | undefined>;
  finish(id: string, report: Report): Promise<void>;
  /** Stores events of one session in order (a crash leaves a prefix); a sequence number taken twice is refused. */
  appendEvents(events: WardenEvent[]): Promise<void>;
  /** The last event number stored for a session: events after the last checkpoint count too. */
  lastSeq(id: string): Promise<number>;
  /** A page of a session's events after a sequence number, in order. */
  eventsAfter(id: string, afterSeq: number, limit: number): Promise<WardenEvent[]>;
  close(): Promise<void>;
}

/** The SQLite session store behind the async interface; its statements are synchronous underneath. */
export function sessionStateOf(store: SessionStore): SessionState {
  return {
    get: async (id) => store.get(id),
    find: async (idOrPrefix) => store.find(idOrPrefix),
    create: async (session) => store.create(session),
    markRunning: async (id, model) => store.markRunning(id, model),
    checkpoint: async (id, checkpoint) => store.checkpoint(id, checkpoint),
    loadCheckpoint: async (id) => store.loadCheckpoint(id),
    finish: async (id, report) => store.finish(id, report),
    async appendEvents(events) {
      for (const event of events) store.appendEvent(event);
    },
    lastSeq: async (id) => store.lastSeq(id),
    eventsAfter: async (id, afterSeq, limit) => store.eventsAfter(id, afterSeq, limit),
    close: async () => store.close(),
  };
}

/** Either kind of store, as callers hold them: the CLI's synchronous one or a server's async one. */
export function asSessionState(store: SessionStore | SessionState): SessionState {
  return store instanceof SessionStore ? sessionStateOf(store) : store;
}
