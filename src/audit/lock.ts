import { readFile, unlink, writeFile } from 'node:fs/promises';
import { WardenError } from '../errors.ts';

export type AuditLock = { path: string; release(): Promise<void> };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(path: string): Promise<number | undefined> {
  const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * One writer per log: two appenders would fork the hash chain. The lock file is created with
 * O_EXCL and holds the owner's pid; a lock whose pid is dead was left by a crash and is taken over.
 */
export async function acquireLock(path: string): Promise<AuditLock> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return {
        path,
        release: async () => {
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new WardenError(
          'audit.lock_failed',
          `cannot create the audit lock: ${(error as Error).message}`,
          {
            where: path,
            cause: error,
          },
        );
      }
    }
    let owner = await readOwner(path);
    if (owner === undefined) {
      // The owner may be between its exclusive create and writing its pid: give it a moment.
      await new Promise((resolve) => setTimeout(resolve, 50));
      owner = await readOwner(path);
    }
    if (owner !== undefined && isAlive(owner)) {
      throw new WardenError('audit.locked', `the audit log is being written by process ${owner}`, {
        where: path,
        hint: 'one writer per session log; wait for it to close',
      });
    }
    // Dead or unreadable owner: remove and retry the exclusive create, which still arbitrates a race.
    await unlink(path).catch(() => undefined);
  }
  throw new WardenError('audit.locked', 'could not take over a stale audit lock', { where: path });
}
