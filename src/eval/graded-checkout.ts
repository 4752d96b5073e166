import { existsSync } from 'node:fs';
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitResult } from '../broker/git.ts';
import { WardenError } from '../errors.ts';
import { evalGit, firstLine } from './eval-git.ts';
import { checkoutCommit } from './workspace.ts';

/** Every path but Warden's own state (the sessions' store, made in the work tree). */
const CHANGE = ['.', ':(exclude).warden'];

/** Paths are names, never patterns: a contestant's file may be called `*`. */
const LITERAL = { GIT_LITERAL_PATHSPECS: '1' };

export interface GradedCheckout {
  /** Where the contestant's work tree now is (the grader's fresh checkout took its place). */
  left: string;
  /** The contestant's change as applied (a file in the scratch directory): `git diff --binary` from the fresh tree to theirs. */
  patch: string;
  /** What of the contestant's change could not be taken or applied, and so is not graded. */
  dropped?: string;
}

export interface CheckoutOptions {
  baseCommit: string;
  scratch: string;
  /** The instance's setup in the fresh checkout, before the contestant's change goes in. */
  setup: () => Promise<void>;
  signal?: AbortSignal;
}

/**
 * Replaces the contestant's work tree at `root` with a fresh checkout of the base commit that holds
 * only the contestant's change, as SWE-bench grades: the change is the difference between the
 * base (after the instance's setup) and the work tree, tracked files and untracked ones git does
 * not ignore, and it is applied as a patch. Nothing else the contestant left survives: no ignored
 * file, no build product, no timestamp, no tree too deep to walk. The work tree moves aside to
 * `left`, so the sandbox bound to `root` runs the tests on the fresh tree.
 */
export async function checkoutForGrading(root: string, options: CheckoutOptions): Promise<GradedCheckout> {
  const run = (cwd: string, args: string[], env: Record<string, string> = {}): Promise<GitResult> =>
    evalGit(cwd, args, { env, signal: options.signal, cancelled: 'grading was cancelled' });
  const must = async (cwd: string, args: string[], env: Record<string, string> = {}) => {
    const result = await run(cwd, args, env);
    if (result.code !== 0) {
      throw new WardenError('eval.grade', `git ${args[0]} failed in ${cwd}: ${firstLine(result.stderr)}`);
    }
    return result.stdout.trim();
  };
  await must(root, ['read-tree', '--end-of-options', options.baseCommit], {
    GIT_INDEX_FILE: join(options.scratch, 'probe.index'),
  });

  const dropped: string[] = [];
  // The contestant's tree as git would commit it; what git cannot read (a path too long, a file
  // without read permission) is left out and said so.
  const contestantIndex = { GIT_INDEX_FILE: join(options.scratch, 'contestant.index') };
  await must(root, ['read-tree', '--end-of-options', options.baseCommit], contestantIndex);
  const added = await run(root, ['add', '--all', '--ignore-errors', '--', ...CHANGE], contestantIndex);
  if (added.code !== 0 || /^(warning|error|fatal): /m.test(added.stderr)) {
    dropped.push(`files git could not read (${firstLine(added.stderr).slice(0, 200)})`);
  }
  const left = asideOf(root);
  await rename(root, left);
  await mkdir(root);
  await checkoutCommit(root, left, options.baseCommit, options.signal);
  // A file the base ignores is a build product, even when the contestant's .gitignore says not.
  const newFiles = (
    await must(
      left,
      ['diff-index', '--cached', '--name-only', '--diff-filter=A', '-z', options.baseCommit],
      contestantIndex,
    )
  )
    .split('\0')
    .filter((path) => path !== '');
  const products: string[] = [];
  // check-ignore prints a name with a quote, backslash or control character quoted: those are asked alone.
  const plain = (path: string) => [...path].every((c) => c >= ' ' && c !== '\x7f' && c !== '"' && c !== '\\');
  for (let i = 0; i < newFiles.filter(plain).length; i += 500) {
    const batch = new Set(newFiles.filter(plain).slice(i, i + 500));
    const ignored = await run(root, [
      '-c',
      'core.quotePath=false',
      'check-ignore',
      '--no-index',
      '--',
      ...batch,
    ]);
    products.push(...ignored.stdout.split('\n').filter((path) => batch.has(path)));
  }
  for (const path of newFiles.filter((path) => !plain(path))) {
    const ignored = await run(root, ['check-ignore', '--no-index', '-q', '--', path]);
    if (ignored.code === 0) products.push(path);
  }
  if (products.length > 0) {
    for (let i = 0; i < products.length; i += 500) {
      const batch = products.slice(i, i + 500);
      await must(left, ['rm', '--cached', '--quiet', '-r', '--', ...batch], {
        ...contestantIndex,
        ...LITERAL,
      });
    }
    dropped.push(
      `files the base commit ignores (${products.slice(0, 3).join(', ')}${products.length > 3 ? ', …' : ''})`,
    );
  }
  const theirs = await must(left, ['write-tree'], contestantIndex);
  await options.setup();
  const setupIndex = { GIT_INDEX_FILE: join(options.scratch, 'setup.index') };
  await must(root, ['read-tree', '--end-of-options', options.baseCommit], setupIndex);
  await must(root, ['add', '--all', '--', ...CHANGE], setupIndex);
  const ours = await must(root, ['write-tree'], setupIndex);

  // The contestant's objects are in the tree that moved aside: read there, written nowhere.
  // The variable is a list split at colons; a quoted entry is one path whatever it holds.
  const objects = { GIT_ALTERNATE_OBJECT_DIRECTORIES: JSON.stringify(join(left, '.git', 'objects')) };
  // Written by git to a file and applied from it: never decoded as text, so every byte survives.
  const patch = join(options.scratch, 'contestant.patch');
  const diff = await run(
    root,
    [
      'diff-tree',
      '-r',
      '-p',
      '--binary',
      '--full-index',
      '--no-renames',
      '--no-textconv',
      '--no-ext-diff',
      `--output=${patch}`,
      ours,
      theirs,
    ],
    objects,
  );
  if (diff.code !== 0) {
    dropped.push(`the change, which git could not take (${firstLine(diff.stderr)})`);
    return { left, patch, dropped: dropped.join('; ') };
  }
  if ((await stat(patch)).size > 0) {
    const applied = await run(root, ['apply', '--whitespace=nowarn', patch]);
    if (applied.code !== 0) {
      dropped.push(`the change, which does not apply to a fresh checkout (${firstLine(applied.stderr)})`);
    }
  }
  return { left, patch, ...(dropped.length > 0 ? { dropped: dropped.join('; ') } : {}) };
}

/** A free name beside the work tree for it to move to. */
function asideOf(root: string): string {
  for (let n = 1; ; n++) {
    const candidate = `${root}.contestant${n === 1 ? '' : `-${n}`}`;
    if (!existsSync(candidate)) return candidate;
  }
}
