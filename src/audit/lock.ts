import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/**
 * When a process started (clock ticks since boot, /proc/<pid>/stat field 22), or undefined where
 * there is no /proc. A pid is reused (a container restarted with node as pid 1 again); the pid
 * and its start time together name one process.
 */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

interface Owner {
  pid: number;
  start: string | undefined;
}

async function readOwner(path: string): Promise<Owner | undefined> {
  const [pidText = '', start] = (await readFile(path, 'utf8').catch(() => '')).trim().split(/\s+/);
  const pid = Number.parseInt(pidText, 10);
  return Number.isInteger(pid) && pid > 0 ? { pid, start: start || undefined } : undefined;
}

/** Alive and the same process that wrote the lock: a live pid that started at another time is a reused one. */
function holds(owner: Owner): boolean {
  if (!isAlive(owner.pid)) return false;
  const start = processStart(owner.pid);
  return owner.start === undefined || owner.start === '-' || start === undefined || start === owner.start;
}

/**
 * One writer per log: two appenders would fork the hash chain. The lock file is created with
 * O_EXCL and holds the owner's pid, its start time and a nonce; a lock whose process is gone (its
 * pid dead, or alive but started at another time) was left by a crash and is taken over.
 */
export async function acquireLock(path: string): Promise<AuditLock> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const mine = `${process.pid} ${processStart(process.pid) ?? '-'} ${randomBytes(8).toString('hex')}\n`;
      await writeFile(path, mine, { flag: 'wx', mode: 0o600 });
      return {
        path,
        release: async () => {
          // Only our own lock: one taken over after we were presumed gone is its new owner's.
          if ((await readFile(path, 'utf8').catch(() => '')) === mine)
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
    if (owner !== undefined && holds(owner)) {
      throw new WardenError('audit.locked', `the audit log is being written by process ${owner.pid}`, {
        where: path,
        hint: 'one writer per session log; wait for it to close',
      });
    }
    // Dead or unreadable owner: remove and retry the exclusive create, which still arbitrates a race.
    await unlink(path).catch(() => undefined);
  }
  throw new WardenError('audit.locked', 'could not take over a stale audit lock', { where: path });
}
