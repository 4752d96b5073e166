import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isWardenError } from '../errors.ts';
import { admitRepository } from './repository.ts';

let dir: string;
let root: string;
let outside: string;
before(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'warden-repo-')));
  root = join(dir, 'root');
  outside = join(dir, 'outside');
  for (const repo of [join(root, 'app'), outside]) {
    await mkdir(join(repo, 'src'), { recursive: true });
    spawnSync('git', ['init', '-q'], { cwd: repo });
  }
  await mkdir(join(root, 'plain'));
  await symlink(outside, join(root, 'escape'));
});
after(() => rm(dir, { recursive: true, force: true }));

const refused = (pattern: RegExp) => (error: unknown) =>
  isWardenError(error) && error.where === 'repository' && pattern.test(error.message);

test('a git top level inside a root is admitted, with the root it lies in', () => {
  assert.deepEqual(admitRepository(join(root, 'app'), [root]), { path: join(root, 'app'), root });
});

test('what is outside the roots is refused before anything about it is looked up', () => {
  assert.throws(() => admitRepository(outside, [root]), refused(/outside the repositories/));
  assert.throws(() => admitRepository('/nonexistent/x', [root]), refused(/outside the repositories/));
  assert.throws(() => admitRepository(join(root, '..', 'outside'), [root]), refused(/outside/));
  assert.throws(() => admitRepository('relative/path', [root]), refused(/not an absolute path/));
  assert.throws(
    () => admitRepository(outside, []),
    (e) => isWardenError(e) && /add roots/.test(e.hint ?? ''),
  );
});

test('a link inside a root that points outside it is refused', () => {
  assert.throws(() => admitRepository(join(root, 'escape'), [root]), refused(/outside the repositories/));
});

test('only an existing git top level: not a subdirectory, not a plain directory, not a missing one', () => {
  assert.throws(() => admitRepository(join(root, 'app', 'src'), [root]), refused(/not the top level/));
  assert.throws(() => admitRepository(join(root, 'plain'), [root]), refused(/not the top level/));
  assert.throws(() => admitRepository(join(root, 'missing'), [root]), refused(/not an existing directory/));
});

test('a .git file pointing outside the root is refused; a worktree of a repository in the root is not', async () => {
  const gitfile = join(root, 'gitfile');
  await mkdir(gitfile);
  await writeFile(join(gitfile, '.git'), `gitdir: ${join(outside, '.git')}\n`);
  assert.throws(() => admitRepository(gitfile, [root]), refused(/git directory at .*outside/));
  const app = join(root, 'app');
  spawnSync(
    'git',
    ['-c', 'user.email=t@e', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'x'],
    {
      cwd: app,
    },
  );
  const worktree = join(root, 'app-wt');
  spawnSync('git', ['worktree', 'add', '-q', worktree], { cwd: app });
  assert.deepEqual(admitRepository(worktree, [root]), { path: worktree, root });
  // A worktree inside the root of a repository outside it shares that repository's config and hooks.
  spawnSync(
    'git',
    ['-c', 'user.email=t@e', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'x'],
    {
      cwd: outside,
    },
  );
  spawnSync('git', ['worktree', 'add', '-q', join(root, 'outside-wt')], { cwd: outside });
  assert.throws(() => admitRepository(join(root, 'outside-wt'), [root]), refused(/outside/));
});
