import { copyFile, mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from '../broker/git.ts';
import { workspaceDriverOverrides } from '../broker/workspace-git-config.ts';
import { WardenError } from '../errors.ts';
import { commitId, firstLine, mustGit, receiptGit } from './receipt-git.ts';

/** Who made a session's commit: Warden, the same on every machine. */
export const SESSION_COMMIT_IDENTITY = { name: 'Warden', email: 'warden@localhost' } as const;

export type SnapshotInput = {
  /** The commit the session started from: the snapshot's parent. */
  base: string;
  message: string;
  /** The session id: the commit is kept under `refs/warden/sessions/<session>`. */
  session: string;
  /** The author and committer date; default now. The same input gives the same commit. */
  time?: Date | string;
};

export type SessionCommit = { commit: string; tree: string; ref: string };

export function sessionRef(session: string): string {
  return `refs/warden/sessions/${session}`;
}

/**
 * The work tree as it is now (tracked changes, deletions, untracked files the repository does not
 * ignore) as a commit whose parent is `base`. Built in a private index and with commit-tree, so
 * HEAD, the user's index and the work tree are untouched; the ref keeps it from `git gc`.
 */
export async function snapshotCommit(root: string, input: SnapshotInput): Promise<SessionCommit> {
  const ref = sessionRef(input.session);
  const refCheck = await receiptGit(root, ['check-ref-format', ref]);
  if (refCheck.code !== 0) {
    throw new WardenError('receipt.session', `"${input.session}" cannot name a git ref`, {
      hint: 'a session id is letters, digits, "-" and "."',
    });
  }
  const base = await commitId(root, input.base);
  if (base === undefined) {
    throw new WardenError('receipt.base', `the base commit ${input.base} is not in the repository`, {
      where: root,
    });
  }
  const date = gitDate(input.time ?? new Date());
  const tree = await worktreeTree(root, base);
  const env = {
    GIT_AUTHOR_NAME: SESSION_COMMIT_IDENTITY.name,
    GIT_AUTHOR_EMAIL: SESSION_COMMIT_IDENTITY.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: SESSION_COMMIT_IDENTITY.name,
    GIT_COMMITTER_EMAIL: SESSION_COMMIT_IDENTITY.email,
    GIT_COMMITTER_DATE: date,
  };
  // No signing key of the user's is asked for, and the message is stored as given.
  const commit = await mustGit(
    root,
    [
      '-c',
      'i18n.commitEncoding=UTF-8',
      'commit-tree',
      '--no-gpg-sign',
      '-p',
      base,
      '-m',
      input.message,
      tree,
    ],
    "commit the session's work tree",
    env,
  );
  await mustGit(root, ['update-ref', '-m', 'warden session receipt', ref, commit], `update ${ref}`);
  return { commit, tree, ref };
}

/**
 * The work tree as a tree object, from a private copy of the index. Filters the agent could have
 * defined (a workspace file included into the config) are switched off: they would run here, on the
 * host. The user's own (git-lfs) stay on, or their files would enter the commit unfiltered.
 */
async function worktreeTree(root: string, base: string): Promise<string> {
  const gitDir = await mustGit(root, ['rev-parse', '--absolute-git-dir'], 'find the repository');
  const scratch = await mkdtemp(join(tmpdir(), 'warden-receipt-index-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await seedIndex(join(gitDir, 'index'), env.GIT_INDEX_FILE);
    const drivers = await workspaceDriverOverrides(root);
    // Here git reads the user's config as usual: their filters decide what a file's blob is.
    const add = await git(root, [...drivers, 'add', '--all', '--', '.'], { env });
    if (add.code === 0) await keepToBase(root, base, scratch, env);
    const tree = add.code === 0 ? await git(root, [...drivers, 'write-tree'], { env }) : add;
    if (tree.code !== 0) {
      throw new WardenError(
        'receipt.git',
        `git could not snapshot the work tree: ${firstLine(tree.stderr)}`,
        {
          where: root,
        },
      );
    }
    return tree.stdout.trim();
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * What the session could not have meant to commit, put back as the base had it: a gitlink the base
 * does not have (a `.git` file the agent wrote, naming any repository on the host, would publish
 * that repository's HEAD), and a new file the base's own ignore rules ignore (the agent emptied a
 * `.gitignore` so that an ignored `.env` would be committed).
 */
async function keepToBase(
  root: string,
  base: string,
  scratch: string,
  env: Record<string, string>,
): Promise<void> {
  const listed = await mustGit(root, ['ls-tree', '-r', '-z', '--full-tree', base], 'list the base', {});
  const baseEntries = new Map<string, string>();
  for (const line of listed.split('\0').filter(Boolean)) {
    const tab = line.indexOf('\t');
    baseEntries.set(line.slice(tab + 1), line.slice(0, tab));
  }
  const staged = await git(root, ['ls-files', '-s', '-z'], { env });
  const restore: string[] = [];
  const added: string[] = [];
  for (const line of staged.stdout.split('\0').filter(Boolean)) {
    const tab = line.indexOf('\t');
    const [mode, sha] = line.slice(0, tab).split(' ');
    const path = line.slice(tab + 1);
    const before = baseEntries.get(path);
    if (mode === '160000' && before !== `160000 commit ${sha}`) restore.push(path);
    else if (before === undefined) added.push(path);
  }
  const ignored = await ignoredByBase(root, base, added, join(scratch, 'rules'));
  const lines = [...restore, ...ignored].map((path) => {
    const before = baseEntries.get(path);
    if (before === undefined) return `0 ${'0'.repeat(40)}\t${path}`;
    const [mode, , sha] = before.split(' ');
    return `${mode} ${sha}\t${path}`;
  });
  if (lines.length === 0) return;
  const update = await git(root, ['update-index', '-z', '--index-info'], {
    env,
    input: `${lines.join('\0')}\0`,
  });
  if (update.code !== 0)
    throw new WardenError(
      'receipt.git',
      `git could not keep the snapshot to the base: ${firstLine(update.stderr)}`,
      { where: root },
    );
}

/** Which of `paths` the base commit's `.gitignore` files ignore (checked in a tree of those files alone). */
async function ignoredByBase(root: string, base: string, paths: string[], rules: string): Promise<string[]> {
  if (paths.length === 0) return [];
  const names = await mustGit(
    root,
    ['ls-tree', '-r', '-z', '--name-only', '--full-tree', base],
    'list the base',
    {},
  );
  await mkdir(rules, { recursive: true });
  for (const name of names.split('\0').filter((n) => n === '.gitignore' || n.endsWith('/.gitignore'))) {
    const blob = await git(root, ['cat-file', 'blob', `${base}:${name}`]);
    if (blob.code !== 0) continue;
    await mkdir(join(rules, dirname(name)), { recursive: true });
    await writeFile(join(rules, name), blob.stdout);
  }
  const checked = await git(root, ['--work-tree', rules, 'check-ignore', '--no-index', '-z', '--stdin'], {
    input: `${paths.join('\0')}\0`,
  });
  // Exit 1: none is ignored.
  return checked.code === 0 ? checked.stdout.split('\0').filter(Boolean) : [];
}

/** A copy of the real index with its mtime, so unchanged files are not hashed again (see worktree-snapshot.ts). */
async function seedIndex(from: string, to: string): Promise<void> {
  try {
    const { atime, mtime } = await stat(from);
    await copyFile(from, to);
    await utimes(to, atime, mtime);
  } catch {
    // No index yet: git hashes everything.
  }
}

function gitDate(time: Date | string): string {
  const date = typeof time === 'string' ? new Date(time) : time;
  if (Number.isNaN(date.getTime())) {
    throw new WardenError('receipt.time', `"${String(time)}" is not a date`);
  }
  return `${Math.floor(date.getTime() / 1000)} +0000`;
}
