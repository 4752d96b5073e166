import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isWardenError } from '../errors.ts';
import type { TaskRecord } from './task-store.ts';
import { createTaskWorkspaces, taskJob } from './task-workspace.ts';

let dir: string;
let source: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-workspaces-'));
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
