import {
  type BigIntStatsFs,
  lstatSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  type Stats,
  statSync,
} from 'node:fs';
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';

/**
 * What a directory tree costs its filesystem: each file's and directory's allocated blocks (a
 * sparse file counts what it really holds, a hard-linked file once), and at least one block per
 * entry, so a million empty files count as the inodes and directory blocks they use up.
 */

/** The least an entry costs: one 4 KiB block (its inode and directory entry, in practice). */
export const MIN_ENTRY_BYTES = 4096;
/** Entries looked at between yields to the event loop, so a big tree never stalls Warden. */
const ENTRIES_PER_SLICE = 2000;

export interface TreeUsage {
  bytes: number;
  entries: number;
}

/**
 * Walks `root` without following symlinks. `skip` names top-level entries that are not the
 * workspace's (Warden's own records). Entries that vanish or cannot be read mid-walk are passed
 * over: the walk runs while a command may be deleting files.
 */
export async function treeUsage(root: string, skip: readonly string[] = []): Promise<TreeUsage> {
  const linked = new Set<string>();
  let bytes = 0;
  let entries = 0;
  let slice = 0;
  const stack = [root];
  const top = new Set(skip.map((name) => path.join(root, name)));
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      if (dir === root && top.has(full)) continue;
      const stats = lstatSync(full, { throwIfNoEntry: false });
      if (stats === undefined) continue;
      if (stats.nlink > 1 && !stats.isDirectory()) {
        const key = `${stats.dev}:${stats.ino}`;
        if (linked.has(key)) continue;
        linked.add(key);
      }
      bytes += entryBytes(stats);
      entries += 1;
      if (stats.isDirectory()) stack.push(full);
      if (++slice >= ENTRIES_PER_SLICE) {
        slice = 0;
        await yieldToLoop();
      }
    }
  }
  return { bytes, entries };
}

function entryBytes(stats: Stats): number {
  return Math.max(stats.blocks * 512, MIN_ENTRY_BYTES);
}

/**
 * Files on the workspace's filesystem that the given processes still hold open after deleting
 * them: invisible to a walk, yet using the disk until the last descriptor closes.
 */
export function openDeletedBytes(pids: readonly number[], device: number): number {
  const seen = new Set<number>();
  let bytes = 0;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const link = `/proc/${pid}/fd/${fd}`;
      try {
        if (!readlinkSync(link).endsWith(' (deleted)')) continue;
        const stats = statSync(link);
        if (stats.dev !== device || stats.nlink !== 0 || !stats.isFile() || seen.has(stats.ino)) continue;
        seen.add(stats.ino);
        bytes += entryBytes(stats);
      } catch {
        // The descriptor closed, or the process ended, while we looked.
      }
    }
  }
  return bytes;
}

/** Every process below `pid` (itself included), from the kernel's child lists of each thread. */
export function processTree(pid: number): number[] {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    found.push(next);
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${next}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        for (const child of readChildren(`/proc/${next}/task/${task}/children`))
          if (!found.includes(child) && !queue.includes(child)) queue.push(child);
      } catch {
        // The thread ended.
      }
    }
  }
  return found;
}

function readChildren(file: string): number[] {
  return readFileSync(file, 'utf8').split(' ').filter(Boolean).map(Number);
}

/**
 * The filesystem's own count of what is in use, in bytes, with each inode at its least cost:
 * one statfs call, cheap enough to ask ten times a second. It moves with every writer on the
 * filesystem, not only the command, so it only says when to look closer.
 */
export async function filesystemUse(dir: string): Promise<number> {
  const fs: BigIntStatsFs = await statfs(dir, { bigint: true });
  const blocks = Number((fs.blocks - fs.bfree) * fs.bsize);
  const inodes = Number(fs.files - fs.ffree) * MIN_ENTRY_BYTES;
  return blocks + inodes;
}
