import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isWardenError } from '../errors.ts';
import { acquireLock, processStart } from './lock.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-lock-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const locked = (error: unknown) => isWardenError(error) && error.code === 'audit.locked';

test('a held lock is refused, even to another acquire in the same process', async () => {
  const path = join(dir, 'held.lock');
  const lock = await acquireLock(path);
  await assert.rejects(acquireLock(path), locked);
  await lock.release();
  await (await acquireLock(path)).release();
});

test('a lock left with our own pid by an earlier process (a restarted container) is taken over', async () => {
  const start = processStart(process.pid);
  assert.ok(start, 'this test needs /proc');
  const path = join(dir, 'reused.lock');
  // Pid 1 again after a container restart: the same pid, started at another time.
  await writeFile(path, `${process.pid} ${Number(start) - 1} 00ff\n`);
  const lock = await acquireLock(path);
  assert.match(readFileSync(path, 'utf8'), new RegExp(`^${process.pid} ${start} [0-9a-f]{16}\\n$`));
  await lock.release();
});

test('a live process of another start time is not the owner; a dead pid is stale too', async () => {
  const path = join(dir, 'other.lock');
  await writeFile(path, '1 1 00ff\n');
  await (await acquireLock(path)).release();
  await writeFile(path, '99999999\n');
  await (await acquireLock(path)).release();
});

test('release removes only its own lock, not one another process took over since', async () => {
  const path = join(dir, 'taken.lock');
  const lock = await acquireLock(path);
  await writeFile(path, '1 - successor\n');
  await lock.release();
  assert.equal(readFileSync(path, 'utf8'), '1 - successor\n');
});
