import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isWardenError } from '../errors.ts';
import { parseUrlPrefix, type UrlPrefix } from './repository-url.ts';
import type { TaskRecord } from './task-store.ts';
import { createTaskWorkspaces, taskJob } from './task-workspace.ts';

let dir: string;
let source: string;
before(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'warden-workspaces-')));
  source = join(dir, 'source');
  spawnSync('git', ['init', '-q', source]);
  await writeFile(join(source, 'README.md'), 'hello\n');
  spawnSync('git', ['-c', 'user.email=t@e', '-c', 'user.name=t', '-C', source, 'add', '-A']);
  spawnSync('git', ['-c', 'user.email=t@e', '-c', 'user.name=t', '-C', source, 'commit', '-qm', 'one']);
});
after(() => rm(dir, { recursive: true, force: true }));

const task = (id: string, repository: string) => ({ id, team: 't', repository }) as TaskRecord;
const workspaces = (keep: boolean) =>
  createTaskWorkspaces({
    workRoot: join(dir, 'work'),
    clone: { depth: 1, timeoutMs: 20_000, keep },
    env: { XDG_CONFIG_HOME: join(dir, 'no-config') },
    log: () => undefined,
    roots: [dir],
    prefixes: [parseUrlPrefix(`file://${dir}`) as UrlPrefix],
  });
const signal = new AbortController().signal;

test('a path is its own workspace and is never removed', async () => {
  const spaces = workspaces(false);
  assert.equal(await spaces.open(task('t1', source), signal), source);
  await spaces.release(task('t1', source), 'succeeded');
  assert.ok(existsSync(join(source, 'README.md')));
});

test('a URL is cloned per task, reused when the task resumes, removed once it has ended', async () => {
  const spaces = workspaces(false);
  const t = task('t2', `file://${source}`);
  const root = await spaces.open(t, signal);
  assert.equal(root, join(dir, 'work', 't2'));
  assert.equal(readFileSync(join(root, 'README.md'), 'utf8'), 'hello\n');
  await writeFile(join(root, 'WORK.md'), 'half done\n');
  await spaces.release(t, 'queued');
  assert.equal(await spaces.open(t, signal), root, 'a drained task resumes in its clone');
  assert.ok(existsSync(join(root, 'WORK.md')), 'with its work so far');
  await spaces.release(t, 'succeeded');
  assert.ok(!existsSync(root));
});

test('clone.keep leaves an ended task’s clone in place', async () => {
  const spaces = workspaces(true);
  const t = task('t3', `file://${source}`);
  const root = await spaces.open(t, signal);
  await spaces.release(t, 'failed');
  assert.ok(existsSync(join(root, 'README.md')));
});

test('a clone that fails is an error naming the repository field, and leaves nothing behind', async () => {
  await mkdir(join(dir, 'missing.git'));
  const t = task('t4', `file://${dir}/missing.git`);
  await assert.rejects(workspaces(false).open(t, signal), (error) => {
    assert.ok(isWardenError(error));
    assert.equal(error.code, 'repo.clone');
    assert.equal(error.where, 'repository');
    assert.match(error.message, /missing\.git/);
    return true;
  });
  assert.ok(!existsSync(join(dir, 'work', 't4')) && !existsSync(join(dir, 'work', 't4.partial')));
});

test('tasks of one URL are queued apart (each has its own clone); tasks of one path are not', () => {
  assert.notEqual(
    taskJob(task('a', 'https://h/x.git')).repository,
    taskJob(task('b', 'https://h/x.git')).repository,
  );
  assert.equal(taskJob(task('a', '/srv/x')).repository, taskJob(task('b', '/srv/x')).repository);
});

test('a repository swapped for a link after the task was created fails the run, and nothing is read there', async () => {
  const secret = await realpath(await mkdtemp(join(tmpdir(), 'warden-secret-')));
  try {
    spawnSync('git', ['init', '-q', secret]);
    const repo = join(dir, 'swapped');
    spawnSync('git', ['init', '-q', repo]);
    const spaces = workspaces(false);
    const t = task('t5', repo);
    assert.equal(await spaces.open(t, signal), repo, 'admitted while it is the directory it was');
    // The attack: queued on repos/a/sub, then `rm -rf sub && ln -s /outside/secret sub`.
    await rm(repo, { recursive: true, force: true });
    await symlink(secret, repo);
    await assert.rejects(spaces.open(t, signal), (error) => {
      assert.ok(isWardenError(error));
      assert.equal(error.code, 'repo.changed');
      assert.match(error.message, /outside the repositories/);
      return true;
    });
    // A link to another repository inside the roots is still not the one the task was given.
    await rm(repo);
    await symlink(source, repo);
    await assert.rejects(spaces.open(t, signal), (e) => isWardenError(e) && e.code === 'repo.changed');
    // Nor is a URL whose prefix the config no longer holds.
    await assert.rejects(
      spaces.open(task('t6', `file://${secret}`), signal),
      (e) => isWardenError(e) && e.code === 'repo.changed',
    );
    await rm(repo);
  } finally {
    await rm(secret, { recursive: true, force: true });
  }
});
