import { statSync } from 'node:fs';
import { WardenError } from '../errors.ts';
import { filesystemUse, openDeletedBytes, processTree, treeUsage } from './disk-usage.ts';
import type { DiskVerdict } from './types.ts';

/**
 * The workspace's total disk use, capped (`limits.disk`). Without root and a filesystem mounted
 * with project quotas there is no kernel quota for one directory tree, and a size-limited overlay
 * would hold every write in memory and need a copy back that is attack surface of its own. So:
 *
 * - before a command, the workspace is counted (a walk, or the last count plus the filesystem's
 *   growth since, when that leaves more room than a file may take anyway);
 * - the command's RLIMIT_FSIZE becomes the room left, so the kernel itself stops any one file at
 *   the limit (and a workspace already over it gets no room to write a file at all);
 * - while it runs, the filesystem's use is read forty times a second (one statfs call) and the
 *   tree is walked again when that growth could have passed the limit, and every few seconds
 *   regardless (at most a tenth of the time spent walking); files the command deleted but holds
 *   open count too. Past the limit, the command is killed;
 * - after it, the tree is counted once more: a command that ended past the limit between two
 *   looks is reported the same way, and the next one starts with no room.
 *
 * What a command can write past the limit before it is stopped is bounded by its write rate over
 * one look (25 ms plus one walk) for many files, and to the block for one file (the kernel refuses the write).
 */

export interface DiskLimitOptions {
  /** The workspace: its real path, the directory the sandbox binds writable. */
  root: string;
  maxBytes: number;
  /** Top-level names that are not the workspace's own content (Warden's records). */
  skip?: readonly string[];
  /** The per-file limit commands have anyway; nearer the limit than this, each command recounts. */
  fileSizeBytes?: number;
}

export interface DiskWatch {
  /** Bytes the command may still add: what its file-size rlimit becomes. */
  readonly room: number;
  /** Aborted when the workspace passes the limit while the command runs. */
  readonly signal: AbortSignal;
  /** The command's first process: files its tree deleted but holds open count too. */
  attach(pid: number): void;
  /** Stops watching and counts once more; a verdict when the workspace is at or over the limit. */
  end(): Promise<DiskVerdict | undefined>;
}

export interface DiskLimit {
  readonly maxBytes: number;
  begin(): Promise<DiskWatch>;
}

const POLL_MS = 25;
/** A walk at least this often while a command runs, whatever statfs says. */
const PERIODIC_MS = 2000;
/** …and no walk sooner than this many times the last one's duration after it. */
const DUTY = 10;

export function createDiskLimit(options: DiskLimitOptions): DiskLimit {
  const { root, maxBytes } = options;
  const skip = options.skip ?? [];
  const device = statSync(root).dev;
  let last: { bytes: number; fsUse: number; ms: number } | undefined;

  /** Counts the tree now; the filesystem's use is read first, so growth during the walk is not lost. */
  const count = async (pids?: readonly number[]): Promise<number> => {
    const started = performance.now();
    const fsUse = await filesystemUse(root);
    const tree = await treeUsage(root, skip);
    const bytes = tree.bytes + (pids ? openDeletedBytes(pids, device) : 0);
    last = { bytes, fsUse, ms: performance.now() - started };
    return bytes;
  };

  const begin = async (): Promise<DiskWatch> => {
    try {
      return watch(await usedNow());
    } catch (cause) {
      throw new WardenError(
        'sandbox.limits_unavailable',
        `the workspace's disk use could not be measured: ${(cause as Error).message}`,
        { where: 'sandbox', cause },
      );
    }
  };

  const usedNow = async (): Promise<number> => {
    const perFile = options.fileSizeBytes ?? Number.POSITIVE_INFINITY;
    let used: number | undefined;
    if (last !== undefined) used = last.bytes + Math.max(0, (await filesystemUse(root)) - last.fsUse);
    // The estimate only errs high; recount when it would cost the command room it may need.
    if (used === undefined || maxBytes - used < perFile) used = await count();
    return used;
  };

  const watch = (usedBefore: number): DiskWatch => {
    const stop = new AbortController();
    // Over already: only growth stops the command, so it can still delete files.
    const ceiling = Math.max(maxBytes, usedBefore);
    let pid: number | undefined;
    let passed = false;
    let busy: Promise<void> | undefined;
    let base = { used: usedBefore, fsUse: last?.fsUse ?? 0 };
    let lastLook = performance.now();

    const look = async (): Promise<void> => {
      const now = performance.now();
      const walkMs = last?.ms ?? 0;
      const since = now - lastLook;
      let due = since >= Math.max(PERIODIC_MS, DUTY * walkMs);
      if (!due && since >= Math.max(POLL_MS, 2 * walkMs)) {
        const grown = (await filesystemUse(root)) - base.fsUse;
        due = grown > ceiling - base.used;
      }
      if (!due) return;
      const used = await count(pid === undefined ? undefined : processTree(pid));
      base = { used, fsUse: last?.fsUse ?? base.fsUse };
      lastLook = performance.now();
      if (used > ceiling) {
        passed = true;
        stop.abort();
      }
    };
    const timer = setInterval(() => {
      if (busy !== undefined || stop.signal.aborted) return;
      busy = look()
        .catch(() => {
          // The workspace vanished or cannot be read: the end count says what is left.
        })
        .finally(() => {
          busy = undefined;
        });
    }, POLL_MS);

    return {
      room: Math.max(0, maxBytes - usedBefore),
      signal: stop.signal,
      attach(started) {
        pid = started;
      },
      async end() {
        clearInterval(timer);
        await busy;
        let used: number;
        try {
          used = await count();
        } catch {
          // The workspace is gone or unreadable: nothing left to cap but what was seen.
          return passed ? { usedBytes: base.used, maxBytes, stopped: true } : undefined;
        }
        if (used < maxBytes && !passed) return undefined;
        // At the limit by its own writes (one the rlimit refused stops exactly there) counts as passing it.
        return { usedBytes: used, maxBytes, stopped: passed || used > usedBefore };
      },
    };
  };

  return { maxBytes, begin };
}
