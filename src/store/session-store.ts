import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Report, WardenEvent } from '../agent/events.ts';
import { WardenError } from '../errors.ts';
import type { Message, Usage } from '../models/types.ts';

export type SessionStatus = 'running' | Report['status'];

export interface SessionRecord {
  id: string;
  task: string;
  model: string;
  repo: string;
  status: SessionStatus;
  createdAt: string;
  updatedAt: string;
  report: Report | undefined;
}

/** What a session needs to continue after a stop or a crash: written after every turn. */
export interface Checkpoint {
  messages: Message[];
  turns: number;
  usage: Usage;
  cost: number | undefined;
  lastSeq: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  task TEXT NOT NULL,
  model TEXT NOT NULL,
  repo TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  checkpoint TEXT,
  report TEXT
);
CREATE TABLE IF NOT EXISTS events (
  session TEXT NOT NULL REFERENCES sessions(id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (session, seq)
);
`;

/** Sessions, their checkpoints and their events, in one SQLite file. */
export class SessionStore {
  readonly #db: DatabaseSync;

  private constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Opens (creating if needed) the store in `<dir>/warden.db`. */
  static open(dir: string): SessionStore {
    // A repository could ship the state directory as a link to somewhere else (~/.ssh): never
    // create or write through one.
    const existing = lstatSync(dir, { throwIfNoEntry: false });
    if (existing && !existing.isDirectory()) {
      throw new WardenError('store.open', `${dir} is not a directory`, {
        hint: 'Warden keeps its session records there; remove or rename what is in the way',
      });
    }
    mkdirSync(dir, { recursive: true });
    // Keeps the state directory out of the user's commits without touching their .gitignore.
    writeFileSync(join(dir, '.gitignore'), '*\n');
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(join(dir, 'warden.db'));
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
      db.exec(SCHEMA);
    } catch (error) {
      throw new WardenError('store.open', `cannot open the session store: ${(error as Error).message}`, {
        where: join(dir, 'warden.db'),
        hint: 'check the directory is writable, or remove a corrupt warden.db',
        cause: error,
      });
    }
    return new SessionStore(db);
  }

  static memory(): SessionStore {
    const db = new DatabaseSync(':memory:');
    db.exec(SCHEMA);
    return new SessionStore(db);
  }

  create(session: { id: string; task: string; model: string; repo: string }): void {
    const now = new Date().toISOString();
    this.#db
      .prepare(
        'INSERT INTO sessions (id, task, model, repo, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(session.id, session.task, session.model, session.repo, 'running', now, now);
  }

  markRunning(id: string, model: string): void {
    this.#db
      .prepare("UPDATE sessions SET status = 'running', model = ?, updated_at = ? WHERE id = ?")
      .run(model, new Date().toISOString(), id);
  }

  checkpoint(id: string, checkpoint: Checkpoint): void {
    this.#db
      .prepare('UPDATE sessions SET checkpoint = ?, updated_at = ? WHERE id = ?')
      .run(JSON.stringify(checkpoint), new Date().toISOString(), id);
  }

  finish(id: string, report: Report): void {
    this.#db
      .prepare('UPDATE sessions SET status = ?, report = ?, updated_at = ? WHERE id = ?')
      .run(report.status, JSON.stringify(report), new Date().toISOString(), id);
  }

  appendEvent(event: WardenEvent): void {
    this.#db
      .prepare('INSERT INTO events (session, seq, type, body) VALUES (?, ?, ?, ?)')
      .run(event.session, event.seq, event.type, JSON.stringify(event));
  }

  get(id: string): SessionRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM sessions WHERE id = ?').get(id);
    return row ? toRecord(row) : undefined;
  }

  /** A session by id or unique id prefix, as people type them. */
  find(idOrPrefix: string): SessionRecord | undefined {
    const exact = this.get(idOrPrefix);
    if (exact) return exact;
    const rows = this.#db
      .prepare("SELECT * FROM sessions WHERE id LIKE ? ESCAPE '\\' LIMIT 2")
      .all(`${idOrPrefix.replace(/[\\%_]/g, '\\$&')}%`);
    if (rows.length > 1) {
      throw new WardenError('session.ambiguous', `"${idOrPrefix}" matches more than one session`, {
        hint: 'give more characters of the id (warden sessions list)',
      });
    }
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** The last event number stored for a session: events after the last checkpoint count too. */
  lastSeq(id: string): number {
    const row = this.#db.prepare('SELECT MAX(seq) AS seq FROM events WHERE session = ?').get(id);
    return typeof row?.seq === 'number' ? row.seq : 0;
  }

  loadCheckpoint(id: string): Checkpoint | undefined {
    const row = this.#db.prepare('SELECT checkpoint FROM sessions WHERE id = ?').get(id);
    const text = row?.checkpoint;
    return typeof text === 'string' ? (JSON.parse(text) as Checkpoint) : undefined;
  }

  list(limit = 50): SessionRecord[] {
    return this.#db
      .prepare('SELECT * FROM sessions ORDER BY created_at DESC LIMIT ?')
      .all(limit)
      .map(toRecord);
  }

  events(id: string): WardenEvent[] {
    return this.#db
      .prepare('SELECT body FROM events WHERE session = ? ORDER BY seq')
      .all(id)
      .map((row) => JSON.parse(String(row.body)) as WardenEvent);
  }

  /** A page of a session's events after a sequence number, in order: what a resumed stream needs. */
  eventsAfter(id: string, afterSeq: number, limit: number): WardenEvent[] {
    return this.#db
      .prepare('SELECT body FROM events WHERE session = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(id, afterSeq, limit)
      .map((row) => JSON.parse(String(row.body)) as WardenEvent);
  }

  close(): void {
    this.#db.close();
  }
}

type Row = Record<string, unknown>;

function toRecord(row: Row): SessionRecord {
  return {
    id: String(row.id),
    task: String(row.task),
    model: String(row.model),
    repo: String(row.repo),
    status: String(row.status) as SessionStatus,
    createdAt: String(row.created_at),
    updatedAt: String(row.updated_at),
    report: typeof row.report === 'string' ? readReport(row.report) : undefined,
  };
}

/**
 * The store sits in the repository, where anyone with the files could have edited it: a report
 * that is not a JSON object is treated as absent. Readers check the shape of the rest.
 */
function readReport(text: string): Report | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Report)
      : undefined;
  } catch {
    return undefined;
  }
}
