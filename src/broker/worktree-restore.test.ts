import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { restoreFromSnapshot, snapshotPatch } from './worktree-restore.ts';
import { diffSnapshots, snapshotWorktree } from './worktree-snapshot.ts';

async function repo(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'warden-restore-test-'));
  spawnSync('git', ['init', '-q'], { cwd: root });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

/** Every file under root but .git, with its content. */
async function tree(root: string, dir = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (path === '.git') continue;
    if (entry.isDirectory()) Object.assign(out, await tree(root, path));
    else out[path] = await readFile(join(root, path), 'utf8');
  }
  return out;
}

const changedPaths = (changes: Awaited<ReturnType<typeof diffSnapshots>>) =>
  changes.flatMap((change) => (change.from ? [change.from, change.path] : [change.path]));

test('the files a turn changed go back as they were; a person’s edit elsewhere stays', async () => {
  const root = await repo({
    'a.txt': 'one\n',
    'src/b.js': 'b\n',
    'run.sh': 'echo hi\n',
    'move.md': 'move me\n',
  });
  try {
    await chmod(join(root, 'run.sh'), 0o755);
    const before = await snapshotWorktree(root);
    assert.ok(before);
    const original = await tree(root);

    await writeFile(join(root, 'a.txt'), 'changed\n');
    await unlink(join(root, 'src/b.js'));
    await mkdir(join(root, 'new/deep'), { recursive: true });
    await writeFile(join(root, 'new/deep/c.txt'), 'added\n');
    await chmod(join(root, 'run.sh'), 0o644);
    await writeFile(join(root, 'moved.md'), 'move me\n');
    await unlink(join(root, 'move.md'));
    const after = await snapshotWorktree(root);
    assert.ok(after);
    const changes = await diffSnapshots(root, before, after);
    assert.match(await snapshotPatch(root, before, after), /^-one\n\+changed$/m);

    // The person edits another file after the turn; undo must not take it back.
    await writeFile(join(root, 'mine.txt'), 'my own note\n');
    const restored = await restoreFromSnapshot(root, before, changedPaths(changes));
    assert.deepEqual(restored, ['a.txt', 'move.md', 'moved.md', 'new/deep/c.txt', 'run.sh', 'src/b.js']);
    assert.deepEqual(await tree(root), { ...original, 'mine.txt': 'my own note\n' });
    assert.equal((await stat(join(root, 'run.sh'))).mode & 0o111, 0o111, 'the mode is back');
    await assert.rejects(stat(join(root, 'new')), 'the directories the added file left empty are gone');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('attack: a directory the agent turned into a link out of the workspace is not written through', async () => {
  const outside = await mkdtemp(join(tmpdir(), 'warden-restore-outside-'));
  const root = await repo({ 'src/b.js': 'b\n' });
  try {
    const before = await snapshotWorktree(root);
    assert.ok(before);
    await rm(join(root, 'src'), { recursive: true });
    await symlink(outside, join(root, 'src'));
    await writeFile(join(outside, 'b.js'), 'the host file\n');
    await assert.rejects(restoreFromSnapshot(root, before, ['src/b.js']), /src is a symbolic link/);
    await assert.rejects(restoreFromSnapshot(root, before, ['../escape.txt']), /not a path inside/);
    assert.equal(
      await readFile(join(outside, 'b.js'), 'utf8'),
      'the host file\n',
      'the host file is untouched',
    );
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  }
});

test('property: whatever a turn does to files, restoring its changed paths gives the tree before it', async () => {
  const name = fc.constantFrom('a.txt', 'b.txt', 'd/c.txt', 'd/e/f.txt', 'g.md');
  const op = fc.oneof(
    fc.record({ kind: fc.constant('write' as const), path: name, text: fc.string({ maxLength: 30 }) }),
    fc.record({ kind: fc.constant('delete' as const), path: name }),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(name, fc.string({ maxLength: 30 })),
      fc.array(op, { maxLength: 6 }),
      async (start, ops) => {
        // A path cannot be both a file and a directory's prefix here: the names never nest.
        const root = await repo(start);
        try {
          const before = await snapshotWorktree(root);
          assert.ok(before);
          const original = await tree(root);
          for (const step of ops) {
            if (step.kind === 'write') {
              await mkdir(dirname(join(root, step.path)), { recursive: true });
              await writeFile(join(root, step.path), step.text);
            } else await rm(join(root, step.path), { force: true });
          }
          const after = await snapshotWorktree(root);
          assert.ok(after);
          await restoreFromSnapshot(root, before, changedPaths(await diffSnapshots(root, before, after)));
          assert.deepEqual(await tree(root), original);
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      },
    ),
    { numRuns: 12 },
  );
});
