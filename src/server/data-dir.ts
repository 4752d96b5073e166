import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { WardenError } from '../errors.ts';

/** The databases under a data directory, with SQLite's companions: each holds tokens' hashes, tasks and transcripts. */
export const DATABASE_FILES = ['server.db', 'warden.db'].flatMap((db) => [db, `${db}-wal`, `${db}-shm`]);

/**
 * The data directory holds the audit keys, token hashes and every task's transcript: it is the
 * server's alone (0700), whether this start made it or an operator did. One owned by another user
 * is refused rather than taken over, since its owner could read or swap what is in it.
 */
export function secureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const stat = statSync(dataDir);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new WardenError(
      'server.data_dir',
      `${dataDir} belongs to user ${stat.uid}, not to this one (${uid})`,
      {
        hint: 'run the server as the owner of its data directory, or give it one of its own with --data DIR',
      },
    );
  }
  if ((stat.mode & 0o777) !== 0o700) chmodSync(dataDir, 0o700);
  secureDatabases(dataDir);
}

/** Databases made by an older start (0644) are closed to everyone else too. */
export function secureDatabases(dataDir: string): void {
  for (const name of DATABASE_FILES) {
    const file = join(dataDir, name);
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

/**
 * Runs `open` with a umask of 077, so that the files SQLite creates (and its -wal and -shm, which
 * take the database's mode) are 0600 from the start. Synchronous: the umask is the process's.
 */
export function privately<T>(open: () => T): T {
  const before = process.umask(0o077);
  try {
    return open();
  } finally {
    process.umask(before);
  }
}
