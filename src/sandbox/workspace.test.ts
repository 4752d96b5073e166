import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { link, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WardenError } from '../errors.ts';
import { createWorkspace } from './workspace.ts';
import type { Workspace } from './workspace-types.ts';

let base: string;
let root: string;
let outside: string;
let ws: Workspace;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'warden-ws-'));
  root = join(base, 'repo');
  outside = join(base, 'outside');
  await mkdir(join(root, 'src'), { recursive: true });
  await mkdir(join(root, '.git', 'hooks'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'TOP SECRET');
  await writeFile(join(root, 'src', 'a.txt'), 'alpha\n');
  await symlink(join(outside, 'secret.txt'), join(root, 'leak.txt'));
  await symlink(outside, join(root, 'outdir'));
  await symlink(join(outside, 'not-yet.txt'), join(root, 'dangling.txt'));
  await symlink('src/a.txt', join(root, 'alias.txt'));
  await symlink('.git/hooks', join(root, 'hooks'));
  ws = await createWorkspace(root);
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

async function rejectsWith(promise: Promise<unknown>, code: string, mentions?: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof WardenError, `expected a WardenError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (mentions) assert.ok(error.message.includes(mentions), error.message);
    return true;
  });
}

describe('reading', () => {
  test('a file inside the root reads, by relative and by absolute path', async () => {
    assert.equal((await ws.readFile('src/a.txt')).toString(), 'alpha\n');
    assert.equal((await ws.readFile(join(root, 'src/a.txt'))).toString(), 'alpha\n');
    assert.equal((await ws.readFile('src/../src/./a.txt')).toString(), 'alpha\n');
  });

  test('../ out of the root is refused and names the path', async () => {
    await rejectsWith(
      ws.readFile('../outside/secret.txt'),
      'path.outside_workspace',
      '../outside/secret.txt',
    );
  });

  test('an absolute path outside the root is refused', async () => {
    await rejectsWith(ws.readFile(join(outside, 'secret.txt')), 'path.outside_workspace');
    await rejectsWith(ws.readFile('/etc/passwd'), 'path.outside_workspace');
  });

  test('a symlink to a file outside is refused', async () => {
    await rejectsWith(ws.readFile('leak.txt'), 'path.outside_workspace', 'leak.txt');
    await rejectsWith(ws.stat('leak.txt'), 'path.outside_workspace');
  });

  test('a symlinked directory pointing outside is refused, for files and listings', async () => {
    await rejectsWith(ws.readFile('outdir/secret.txt'), 'path.outside_workspace');
    await rejectsWith(ws.readdir('outdir'), 'path.outside_workspace');
  });

  test('a symlink that stays inside the root is followed', async () => {
    assert.equal((await ws.readFile('alias.txt')).toString(), 'alpha\n');
  });

  test('a NUL byte or an empty path is invalid', async () => {
    await rejectsWith(ws.readFile('src/a.txt\0.png'), 'path.invalid', 'NUL');
    await rejectsWith(ws.readFile(''), 'path.invalid');
  });

  test('a missing file is path.not_found, and stat says undefined', async () => {
    await rejectsWith(ws.readFile('src/nope.txt'), 'path.not_found', 'src/nope.txt');
    assert.equal(await ws.stat('src/nope.txt'), undefined);
    assert.ok((await ws.stat('src/a.txt'))?.isFile());
  });

  test('a FIFO planted in the workspace is refused instead of hanging the process', async () => {
    execFileSync('mkfifo', [join(root, 'pipe')]);
    try {
      await rejectsWith(ws.readFile('pipe'), 'path.not_file');
    } finally {
      await rm(join(root, 'pipe'));
    }
  });

  test('readdir lists entries sorted, with their kinds and without following symlinks', async () => {
    const entries = await ws.readdir('.');
    const names = entries.map((entry) => entry.name);
    assert.deepEqual(names, [...names].sort());
    assert.deepEqual(
      entries.find((entry) => entry.name === 'outdir'),
      { name: 'outdir', kind: 'symlink' },
    );
    assert.deepEqual(
      entries.find((entry) => entry.name === 'src'),
      { name: 'src', kind: 'dir' },
    );
  });
});

describe('writing', () => {
  test('a write creates missing parent directories inside the root', async () => {
    await ws.writeFile('new/deep/file.txt', 'hello');
    assert.equal(await readFile(join(root, 'new/deep/file.txt'), 'utf8'), 'hello');
  });

  test('writing through a symlink to a file outside is refused and the file is untouched', async () => {
    await rejectsWith(ws.writeFile('leak.txt', 'pwned'), 'path.outside_workspace');
    assert.equal(await readFile(join(outside, 'secret.txt'), 'utf8'), 'TOP SECRET');
  });

  test('writing through a dangling symlink that points outside creates nothing there', async () => {
    await rejectsWith(ws.writeFile('dangling.txt', 'pwned'), 'path.outside_workspace');
    assert.equal(existsSync(join(outside, 'not-yet.txt')), false);
  });

  test('writing into a symlinked directory pointing outside is refused', async () => {
    await rejectsWith(ws.writeFile('outdir/planted.txt', 'pwned'), 'path.outside_workspace');
    await rejectsWith(ws.writeFile('outdir/sub/planted.txt', 'pwned'), 'path.outside_workspace');
    assert.equal(existsSync(join(outside, 'planted.txt')), false);
    assert.equal(existsSync(join(outside, 'sub')), false);
  });

  test('../ and absolute paths outside are refused for writes', async () => {
    await rejectsWith(ws.writeFile('../outside/x.txt', 'pwned'), 'path.outside_workspace');
    await rejectsWith(ws.writeFile(join(outside, 'x.txt'), 'pwned'), 'path.outside_workspace');
    assert.equal(existsSync(join(outside, 'x.txt')), false);
  });

  test('.git/hooks/pre-commit cannot be written, however it is spelled or reached', async () => {
    await rejectsWith(ws.writeFile('.git/hooks/pre-commit', '#!/bin/sh\ncurl evil'), 'path.protected');
    await rejectsWith(ws.writeFile('src/../.git/config', '[core]'), 'path.protected');
    await rejectsWith(ws.writeFile('.GIT/config', '[core]'), 'path.protected');
    await rejectsWith(ws.writeFile(join(root, '.git/config'), '[core]'), 'path.protected');
    await rejectsWith(ws.writeFile('hooks/pre-commit', 'evil'), 'path.protected');
    assert.equal(existsSync(join(root, '.git/hooks/pre-commit')), false);
  });

  test('.git itself cannot be removed or renamed, and nothing can be renamed into it', async () => {
    await rejectsWith(ws.remove('.git'), 'path.protected');
    await rejectsWith(ws.rename('.git', 'git-moved'), 'path.protected');
    await rejectsWith(ws.rename('src/a.txt', '.git/hooks/post-checkout'), 'path.protected');
    assert.ok(existsSync(join(root, '.git/hooks')));
    assert.ok(existsSync(join(root, 'src/a.txt')));
  });

  test("Warden's own session records under .warden/ cannot be rewritten or removed", async () => {
    await rejectsWith(ws.writeFile('.warden/warden.db', 'forged'), 'path.protected');
    await rejectsWith(ws.writeFile('src/../.Warden/x', 'forged'), 'path.protected');
    await rejectsWith(ws.rename('src/a.txt', '.warden/a.txt'), 'path.protected');
    await ws.writeFile('src/.warden', 'a nested name is an ordinary file');
  });

  test('writing a hard-linked file leaves the other name untouched', async () => {
    await writeFile(join(outside, 'shared.txt'), 'original');
    await link(join(outside, 'shared.txt'), join(root, 'hardlink.txt'));
    await ws.writeFile('hardlink.txt', 'changed');
    assert.equal(await readFile(join(root, 'hardlink.txt'), 'utf8'), 'changed');
    assert.equal(await readFile(join(outside, 'shared.txt'), 'utf8'), 'original');
  });

  test('writing through a symlink that stays inside writes its target', async () => {
    await ws.writeFile('in-link-target.txt', 'one');
    await symlink('in-link-target.txt', join(root, 'in-link.txt'));
    await ws.writeFile('in-link.txt', 'two');
    assert.equal(await readFile(join(root, 'in-link-target.txt'), 'utf8'), 'two');
  });

  test('writing a directory path is refused', async () => {
    await rejectsWith(ws.writeFile('src', 'x'), 'path.is_directory');
    await rejectsWith(ws.writeFile('.', 'x'), 'path.is_directory');
  });
});

describe('removing and renaming', () => {
  test('removing a symlink that points outside removes the link, not its target', async () => {
    await symlink(join(outside, 'secret.txt'), join(root, 'leak-2.txt'));
    await ws.remove('leak-2.txt');
    assert.equal(existsSync(join(root, 'leak-2.txt')), false);
    assert.equal(await readFile(join(outside, 'secret.txt'), 'utf8'), 'TOP SECRET');
  });

  test('remove refuses directories, the root and paths outside', async () => {
    await rejectsWith(ws.remove('src'), 'path.is_directory');
    await rejectsWith(ws.remove('.'), 'path.outside_workspace');
    await rejectsWith(ws.remove('outdir/secret.txt'), 'path.outside_workspace');
    await rejectsWith(ws.remove('missing.txt'), 'path.not_found');
  });

  test('rename moves a file inside the root, creating the target directory', async () => {
    await ws.writeFile('move-me.txt', 'm');
    await ws.rename('move-me.txt', 'moved/here.txt');
    assert.equal(await readFile(join(root, 'moved/here.txt'), 'utf8'), 'm');
    assert.equal(existsSync(join(root, 'move-me.txt')), false);
  });

  test('rename out of the root or through an outside symlink is refused', async () => {
    await ws.writeFile('stay.txt', 's');
    await rejectsWith(ws.rename('stay.txt', '../outside/stolen.txt'), 'path.outside_workspace');
    await rejectsWith(ws.rename('stay.txt', 'outdir/stolen.txt'), 'path.outside_workspace');
    await rejectsWith(ws.rename('outdir/secret.txt', 'copied.txt'), 'path.outside_workspace');
    assert.ok(existsSync(join(root, 'stay.txt')));
    assert.equal(existsSync(join(outside, 'stolen.txt')), false);
  });
});

test('createWorkspace realpaths the root and refuses a missing one', async () => {
  const viaLink = join(base, 'repo-link');
  await symlink(root, viaLink);
  const linked = await createWorkspace(viaLink);
  assert.equal(linked.root, ws.root);
  assert.equal((await linked.readFile(join(viaLink, 'src/a.txt'))).toString(), 'alpha\n');
  await rejectsWith(createWorkspace(join(base, 'missing')), 'workspace.not_found');
});
