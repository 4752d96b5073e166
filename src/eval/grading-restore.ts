import { readdir, readFile, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import {
  type Entry,
  type GradingIndex,
  removeWorkTreePath,
  sameEntry,
  workTreeEntry,
} from './grading-index.ts';
import { RUNNER_SETTINGS } from './runner-settings.ts';

/**
 * Files that decide how tests are found, run and judged, and are not the code under test: a
 * contestant's `conftest.py` could mark every test passed, a Makefile's `test:` could be `true`.
 * Wherever they are, they are put back as the base commit (and test patch) has them, new ones
 * removed. A fix that really needed one changed is graded without that change.
 */
const RUNNER_FILES = new Set([
  'conftest.py',
  'pytest.ini',
  'sitecustomize.py',
  'usercustomize.py',
  'Makefile',
  'makefile',
  'GNUmakefile',
  '.gitattributes',
]);

/**
 * `python3 -m pytest` puts the workspace root first on Python's path: a `pytest.py`, `pytest/` or
 * `pytest.pyc` there would be the test runner. New root entries with these module names go.
 */
const RUNNER_MODULES = new Set([
  'pytest',
  '_pytest',
  'pluggy',
  'py',
  'iniconfig',
  'unittest',
  'doctest',
  'nose',
  'nose2',
]);

/** A named test's directory with one of these names holds tests and their helpers: all of it is put back. */
const TEST_DIRECTORIES = new Set(['test', 'tests', 'testing', '__tests__', 'spec', 'specs']);

export type RestoreReason = 'test patch' | 'test file' | 'runner file' | 'runner module' | 'runner settings';

/** A path the contestant had changed, added or removed, put back before grading. */
export interface RestoredPath {
  path: string;
  why: RestoreReason;
}

/**
 * Makes the work tree ready for the hidden tests: the test patch's files, the named tests' files
 * (and their test directories) and the runner files are made exactly what the graded index holds;
 * of the files that hold runner settings among other things (runner-settings.ts) only that part is.
 * Returns what the contestant had changed among them.
 */
export async function restoreForGrading(
  root: string,
  index: GradingIndex,
  testNames: readonly string[],
): Promise<RestoredPath[]> {
  const reasons = new Map<string, RestoreReason>();
  const want = (path: string, why: RestoreReason) => {
    if (!reasons.has(path) && isSafePath(path)) reasons.set(path, why);
  };
  for (const path of index.touched) want(path, 'test patch');

  const testDirectories = new Set<string>();
  for (const name of testNames) {
    const file = (name.split('::')[0] ?? '').replace(/^(\.\/)+/, '');
    const dir = posix.dirname(file);
    if (index.graded.has(file)) want(file, 'test file');
    if (dir !== '.' && TEST_DIRECTORIES.has(posix.basename(dir)) && isSafePath(dir)) testDirectories.add(dir);
  }
  const inTestDirectory = (path: string) => [...testDirectories].some((dir) => path.startsWith(`${dir}/`));
  const settingsFiles = new Set<string>();
  const consider = (path: string) => {
    const name = posix.basename(path);
    if (inTestDirectory(path)) want(path, 'test file');
    else if (RUNNER_FILES.has(name)) want(path, 'runner file');
    else if (RUNNER_SETTINGS.has(name) && !path.split('/').includes('node_modules')) settingsFiles.add(path);
  };
  for (const path of index.graded.keys()) consider(path);
  for await (const path of workTreeLeaves(root)) consider(path);
  for (const name of await readdir(root)) {
    const owned = [...index.graded.keys()].some((path) => path === name || path.startsWith(`${name}/`));
    if (!owned && RUNNER_MODULES.has(name.split('.')[0] ?? '')) want(name, 'runner module');
  }

  const restored: RestoredPath[] = [];
  const checkout: string[] = [];
  const putBack = async (path: string, current: Entry | 'blocked' | undefined, why: RestoreReason) => {
    const leading = await removeWorkTreePath(root, path);
    if (leading !== undefined && index.graded.has(leading)) checkout.push(leading);
    if (index.graded.has(path)) checkout.push(path);
    if (current === 'blocked' || !sameEntry(current, index.base.get(path))) restored.push({ path, why });
  };
  for (const [path, why] of reasons) {
    const current = await workTreeEntry(root, path);
    if (current !== 'blocked' && sameEntry(current, index.graded.get(path))) continue;
    await putBack(path, current, why);
  }
  for (const path of settingsFiles) {
    const merge = RUNNER_SETTINGS.get(posix.basename(path));
    if (reasons.has(path) || merge === undefined) continue;
    const current = await workTreeEntry(root, path);
    if (current !== 'blocked' && sameEntry(current, index.graded.get(path))) continue;
    const merged =
      current !== 'blocked' && current?.mode.startsWith('100')
        ? merge(
            await readFile(posix.join(root, path), 'utf8'),
            index.graded.has(path) ? await index.content(path) : undefined,
          )
        : 'unreadable';
    if (merged === 'same') continue;
    if (merged === 'unreadable') await putBack(path, current, 'runner file');
    else {
      await writeFile(posix.join(root, path), merged);
      restored.push({ path, why: 'runner settings' });
    }
  }
  await index.checkout([...new Set(checkout)]);
  return restored;
}

/** Every file, link or other non-directory under the root, without following links; not `.git`, not node_modules. */
async function* workTreeLeaves(root: string, dir = ''): AsyncGenerator<string> {
  for (const entry of await readdir(dir === '' ? root : posix.join(root, dir), { withFileTypes: true })) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (path === '.git') continue;
    if (!entry.isDirectory()) yield path;
    else if (entry.name !== 'node_modules') yield* workTreeLeaves(root, path);
  }
}

/** Relative, inside the work tree, never git's own metadata. */
function isSafePath(path: string): boolean {
  const parts = path.split('/');
  return (
    path !== '' &&
    !path.startsWith('/') &&
    !parts.some((part) => part === '' || part === '.' || part === '..') &&
    parts[0] !== '.git'
  );
}
