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
  // prove reads its options (`-I`, `-M`, plugins) from the working directory's .proverc.
  '.proverc',
]);

/**
 * Directories at the root whose modules a test runner loads before the code's own: `prove -l` and
 * `-b` put `lib/` and `blib/lib` first on Perl's @INC, so a `lib/Test/More.pm` there is the test
 * library. Put back as the graded tree has them, new files removed.
 */
const RUNNER_DIRECTORIES = ['lib/Test', 'lib/TAP', 'blib', 't/lib'];

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

/**
 * A directory with one of these names that holds a test file (of the base tree or the test patch)
 * holds tests and their helpers (a package's `__init__.py`, a C harness header): all of it is put back.
 */
const TEST_DIRECTORIES = new Set(['test', 'tests', 'testing', '__tests__', 'spec', 'specs', 't']);

/** A file named as test runners name tests: `test_x.py`, `x_test.go`, `x.test.js`, `x_spec.rb`, `x.t`, `test.c`. */
const TEST_FILE = /^(test[_-].+|tests?\.[^.]+|.+[_.-](test|tests|spec)\.[^.]+|.+\.t)$/i;

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
  const testDirectoryOf = (path: string) => {
    const dir = nearestTestDirectory(path);
    if (dir !== undefined && isSafePath(dir)) testDirectories.add(dir);
  };
  for (const name of testNames) {
    const file = (name.split('::')[0] ?? '').replace(/^(\.\/)+/, '');
    if (index.graded.has(file)) want(file, 'test file');
    testDirectoryOf(file);
  }
  // Test names need not be paths (`tests.test_x.Case.test_y`, a C test's name): the test patch's
  // files and the base tree's test files say where the tests are.
  for (const path of index.touched) testDirectoryOf(path);
  for (const path of index.base.keys()) if (TEST_FILE.test(posix.basename(path))) testDirectoryOf(path);
  const under = (dirs: Iterable<string>, path: string) => [...dirs].some((dir) => path.startsWith(`${dir}/`));
  const settingsFiles = new Set<string>();
  const consider = (path: string) => {
    const name = posix.basename(path);
    if (under(testDirectories, path)) want(path, 'test file');
    else if (under(RUNNER_DIRECTORIES, path)) want(path, 'runner file');
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

/** The innermost directory of the path named as test directories are (`pkg/tests`, `t`), if any. */
function nearestTestDirectory(path: string): string | undefined {
  const parts = path.split('/').slice(0, -1);
  for (let i = parts.length; i > 0; i--) {
    if (TEST_DIRECTORIES.has(parts[i - 1] ?? '')) return parts.slice(0, i).join('/');
  }
  return undefined;
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
