import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { auditLogPath } from '../audit/index.ts';
import { readPgAuditLog } from '../audit/pg-storage.ts';

/** Where the API reads a task's audit log from, to hand it out or verify it. */
export interface AuditLogs {
  /** The log as the bytes of its file form, or undefined when the task has none yet. */
  read(session: string): Promise<Buffer | undefined>;
}

/** `<dir>/<session>.audit.jsonl`: the embedded server's logs. */
export function fileAuditLogs(dir: string): AuditLogs {
  return {
    async read(session) {
      try {
        return await readFile(auditLogPath(dir, session));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
  };
}

/** The `audit_records` rows the workers write: any API server reads any worker's logs. */
export function pgAuditLogs(pool: pg.Pool): AuditLogs {
  return { read: (session) => readPgAuditLog(pool, session) };
}
