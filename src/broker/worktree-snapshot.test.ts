import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { diffSnapshots, snapshotWorktree } from './worktree-snapshot.ts';

let root: string;
const run = (...args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8' });

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-snapshot-'));
  run('init', '-q');
  await writeFile(join(root, '.gitignore'), 'ignored/\n');
  await writeFile(join(root, 'keep.txt'), 'one\ntwo\nthree\n');
  await writeFile(join(root, 'edit.js'), 'const a = 1;\nconst b = 2;\n');
  await writeFile(join(root, 'gone.txt'), 'bye\n');
  await writeFile(join(root, 'move-me.md'), 'a long enough line to be recognised as a rename\nand another\n');
  run('add', '-A');
  run('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'start');
  await writeFile(join(root, 'untracked-before.txt'), 'already here\n');
});
after(() => rm(root, { recursive: true, force: true }));

test('every change between two snapshots, however it was made, with line counts', async () => {
  const indexBefore = await readFile(join(root, '.git', 'index'));
  const start = await snapshotWorktree(root);
  assert.ok(start);

  await writeFile(join(root, 'edit.js'), 'const a = 1;\nconst b = 3;\nconst c = 4;\n');
  await unlink(join(root, 'gone.txt'));
  await rename(join(root, 'move-me.md'), join(root, 'moved.md'));
  await writeFile(join(root, 'new.txt'), 'x\ny\n');
  await writeFile(join(root, 'untracked-before.txt'), 'already here\nand more\n');
  await rm(join(root, 'ignored'), { recursive: true, force: true });
  spawnSync('mkdir', [join(root, 'ignored')]);
  await writeFile(join(root, 'ignored', 'big.log'), 'noise\n');

  const end = await snapshotWorktree(root);
  assert.ok(end);
  assert.deepEqual(await diffSnapshots(root, start, end), [
    { path: 'edit.js', kind: 'modified', added: 2, removed: 1 },
    { path: 'gone.txt', kind: 'deleted', added: 0, removed: 1 },
    { path: 'moved.md', kind: 'moved', from: 'move-me.md', added: 0, removed: 0 },
    { path: 'new.txt', kind: 'added', added: 2, removed: 0 },
    { path: 'untracked-before.txt', kind: 'modified', added: 1, removed: 0 },
  ]);
  assert.deepEqual(await readFile(join(root, '.git', 'index')), indexBefore, "the user's index is untouched");
  assert.equal(
    run('status', '--porcelain').stdout.includes('new.txt'),
    true,
    'nothing was staged for the user',
  );
});

test('no changes, no entries; outside git, no snapshot', async () => {
  const a = await snapshotWorktree(root);
  const b = await snapshotWorktree(root);
  assert.ok(a);
  assert.deepEqual(await diffSnapshots(root, a, b ?? ''), []);
  const plain = await mkdtemp(join(tmpdir(), 'warden-plain-'));
  try {
    assert.equal(await snapshotWorktree(plain), undefined);
  } finally {
    await rm(plain, { recursive: true, force: true });
  }
});

test('file names with spaces, newlines and leading dashes come through intact', async () => {
  const start = await snapshotWorktree(root);
  await writeFile(join(root, '-n weird\nname.txt'), 'z\n');
  const end = await snapshotWorktree(root);
  assert.deepEqual(await diffSnapshots(root, start ?? '', end ?? ''), [
    { path: '-n weird\nname.txt', kind: 'added', added: 1, removed: 0 },
  ]);
});

test('an edit that keeps the size, in the same second as the last commit, is still seen', async () => {
  await writeFile(join(root, 'same-size.js'), 'return a - b;\n');
  run('add', 'same-size.js');
  run('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'same size');
  const start = await snapshotWorktree(root);
  await writeFile(join(root, 'same-size.js'), 'return a + b;\n');
  const end = await snapshotWorktree(root);
  assert.deepEqual(await diffSnapshots(root, start ?? '', end ?? ''), [
    { path: 'same-size.js', kind: 'modified', added: 1, removed: 1 },
  ]);
});

test("a filter the workspace defines through an included config runs nowhere on the host; the user's own still does", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warden-snapshot-filter-'));
  const repo = join(dir, 'repo');
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  try {
    spawnSync('git', ['init', '-q', repo]);
    const marker = join(dir, 'PWNED');
    const userMarker = join(dir, 'user-filter-ran');
    // The user's repository config includes a workspace file (a common "shared config" habit)...
    git('config', 'include.path', '../.gitconfig');
    git('config', 'includeIf.gitdir:**.path', '../sub/.gitconfig');
    // ...and defines a filter of its own in .git/config, which the agent cannot write.
    git('config', 'filter.mine.clean', `touch ${userMarker}; cat`);
    await writeFile(
      join(repo, '.gitconfig'),
      `[filter "evil"]\n\tclean = "touch ${marker}; cat"\n\tprocess = touch ${marker}\n`,
    );
    spawnSync('mkdir', [join(repo, 'sub')]);
    await writeFile(join(repo, 'sub', '.gitconfig'), `[filter "evil2"]\n\tclean = "touch ${marker}2; cat"\n`);
    await writeFile(
      join(repo, '.gitattributes'),
      '*.txt filter=evil\n*.md filter=evil2\n*.mine filter=mine\n',
    );
    await writeFile(join(repo, 'a.txt'), 'text\n');
    await writeFile(join(repo, 'b.md'), 'text\n');
    await writeFile(join(repo, 'c.mine'), 'text\n');
    assert.ok(await snapshotWorktree(repo));
    for (const path of [marker, `${marker}2`])
      assert.equal(spawnSync('test', ['-e', path]).status, 1, `${path} was created on the host`);
    assert.equal(spawnSync('test', ['-e', userMarker]).status, 0, "the user's own filter still ran");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
