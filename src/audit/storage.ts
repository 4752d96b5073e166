import { constants } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { acquireLock } from './lock.ts';

/** One record as stored: its sequence number and its canonical line, without the newline. */
export type StoredLine = { seq: number; line: string };

/**
 * Where one session's log lives, as the writer sees it: a file on this machine by default, or rows
 * in a database that workers on many machines share. Opening it takes the one-writer lock.
 */
export type AuditStorage = {
  /** Names the log in messages: its file, or its place in the database. */
  where: string;
  /** The log as stored, one line per record; a crash may have left a torn last line. */
  read(): Promise<Buffer>;
  /** Cuts a torn tail, keeping the first `validBytes`. */
  truncate(validBytes: number): Promise<void>;
  /** Appends records in order; when `sync`, resolves once they are durable. */
  append(records: StoredLine[], sync: boolean): Promise<void>;
  /** Makes everything appended so far durable. */
  sync(): Promise<void>;
  /** Releases the log (and its lock) for the next writer. */
  close(): Promise<void>;
};

export type OpenAuditStorage = (session: string) => Promise<AuditStorage>;

export function auditLogPath(dir: string, session: string): string {
  return join(dir, `${session}.audit.jsonl`);
}

/** `<dir>/<session>.audit.jsonl`, appended with O_APPEND, locked by `<session>.audit.lock`. */
export function fileStorage(dir: string): OpenAuditStorage {
  return async (session) => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = auditLogPath(dir, session);
    const lock = await acquireLock(join(dir, `${session}.audit.lock`));
    let handle: FileHandle;
    try {
      const flags = constants.O_RDWR | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW;
      handle = await open(file, flags, 0o600);
    } catch (error) {
      await lock.release();
      throw error;
    }
    return {
      where: file,
      read: () => handle.readFile(),
      async truncate(validBytes) {
        await handle.truncate(validBytes);
        await handle.datasync();
      },
      async append(records, sync) {
        await writeAll(handle, Buffer.from(records.map((r) => `${r.line}\n`).join('')));
        if (sync) await handle.datasync();
      },
      sync: () => handle.datasync(),
      async close() {
        try {
          await handle.close();
        } finally {
          await lock.release();
        }
      },
    };
  };
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}
