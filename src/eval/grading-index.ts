import { createHash } from 'node:crypto';
import { lstat, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitResult } from '../broker/git.ts';
import { WardenError } from '../errors.ts';
import { evalGit, firstLine } from './eval-git.ts';

/** A file as git records it: its mode (`100644`, `100755`, `120000`) and blob id. */
export interface Entry {
  mode: string;
  oid: string;
}

/**
 * The files as they must be when the tests run: the base commit with the test patch applied, in
 * a private index (never the workspace's own). The patch is applied to the base itself, not to
 * the contestant's work tree, so nothing the contestant left there changes how it applies.
 */
export interface GradingIndex {
  /** The base commit's files. */
  base: Map<string, Entry>;
  /** The base commit's files after the test patch. */
  graded: Map<string, Entry>;
  /** Every path the test patch adds, changes or removes. */
  touched: string[];
  /** Writes the given paths from the graded index into the work tree (each already removed there). */
  checkout(paths: readonly string[]): Promise<void>;
  /** A graded file's content. */
  content(path: string): Promise<string>;
}

export type GradingIndexResult = { ok: true; index: GradingIndex } | { ok: false; error: string };

export async function openGradingIndex(
  root: string,
  options: { baseCommit: string; testPatch: string; scratch: string; signal?: AbortSignal },
): Promise<GradingIndexResult> {
  const indexFile = join(options.scratch, 'graded.index');
  const run = (args: string[]): Promise<GitResult> =>
    evalGit(root, args, {
      env: { GIT_INDEX_FILE: indexFile },
      signal: options.signal,
      cancelled: 'grading was cancelled',
    });
  const must = async (args: string[]): Promise<GitResult> => {
    const result = await run(args);
    if (result.code !== 0) {
      throw new WardenError('eval.grade', `git ${args[0]} failed in ${root}: ${firstLine(result.stderr)}`);
    }
    return result;
  };
  await must(['read-tree', '--end-of-options', options.baseCommit]);
  const base = parseIndex((await must(['ls-files', '--stage', '-z'])).stdout);
  if (options.testPatch.trim() !== '') {
    const patchFile = join(options.scratch, 'test.patch');
    await writeFile(patchFile, options.testPatch);
    const applied = await run(['apply', '--cached', '--whitespace=nowarn', patchFile]);
    if (applied.code !== 0) {
      return {
        ok: false,
        error: `the test patch does not apply to the base commit: ${firstLine(applied.stderr)}`,
      };
    }
  }
  const graded = parseIndex((await must(['ls-files', '--stage', '-z'])).stdout);
  const touched = [...new Set([...base.keys(), ...graded.keys()])].filter(
    (path) => !sameEntry(base.get(path), graded.get(path)),
  );
  return {
    ok: true,
    index: {
      base,
      graded,
      touched,
      async checkout(paths) {
        const present = paths.filter((path) => graded.get(path)?.mode !== '160000' && graded.has(path));
        if (present.length > 0) await must(['checkout-index', '--force', '--', ...present]);
      },
      async content(path) {
        const entry = graded.get(path);
        if (entry === undefined) throw new WardenError('eval.grade', `${path} is not in the graded tree`);
        return (await must(['cat-file', 'blob', entry.oid])).stdout;
      },
    },
  };
}

/** `git ls-files --stage -z`: `MODE OID STAGE\tPATH\0`. */
function parseIndex(listing: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const record of listing.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [mode = '', oid = ''] = record.slice(0, tab).split(' ');
    entries.set(record.slice(tab + 1), { mode, oid });
  }
  return entries;
}

export function sameEntry(a: Entry | undefined, b: Entry | undefined): boolean {
  return a?.mode === b?.mode && a?.oid === b?.oid;
}

/**
 * What is at `path` in the work tree, as git would record it; undefined when nothing is, or when
 * a directory on the way is not a real directory (a link, a file): then the path is not the file.
 */
export async function workTreeEntry(root: string, path: string): Promise<Entry | 'blocked' | undefined> {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const stat = await lstat(join(root, ...parts.slice(0, i))).catch(() => undefined);
    if (stat === undefined) return undefined;
    if (!stat.isDirectory()) return 'blocked';
  }
  const full = join(root, path);
  const stat = await lstat(full).catch(() => undefined);
  if (stat === undefined) return undefined;
  if (stat.isSymbolicLink()) return { mode: '120000', oid: blobId(Buffer.from(await readlink(full))) };
  if (!stat.isFile()) return 'blocked';
  return { mode: stat.mode & 0o100 ? '100755' : '100644', oid: blobId(await readFile(full)) };
}

/** git's object id of a blob (SHA-1: the workspace is made by Warden, in git's default format). */
function blobId(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

/**
 * Removes what is at `path` without following a link on the way: a link or file where a directory
 * of the path should be is removed itself (and returned, so it can be put back if git has it).
 */
export async function removeWorkTreePath(root: string, path: string): Promise<string | undefined> {
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const leading = parts.slice(0, i).join('/');
    const stat = await lstat(join(root, leading)).catch(() => undefined);
    if (stat === undefined) return undefined;
    if (!stat.isDirectory()) {
      await rm(join(root, leading), { force: true });
      return leading;
    }
  }
  await rm(join(root, path), { recursive: true, force: true });
  return undefined;
}
