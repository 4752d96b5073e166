import assert from 'node:assert/strict';
import {
  closeSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { formatSize } from '../policy/quantities.ts';
import { MIN_ENTRY_BYTES, openDeletedBytes, processTree, treeUsage } from './disk-usage.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'warden-disk-usage-'));
after(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string): string {
  const made = path.join(root, name);
  mkdirSync(made, { recursive: true });
  return made;
}

function fill(file: string, bytes: number): void {
  const fd = openSync(file, 'w');
  writeSync(fd, Buffer.alloc(bytes, 1));
  closeSync(fd);
}

test('a tree counts its allocated blocks: a sparse file what it holds, a hard link once, skipped names not at all', async () => {
  const ws = dir('counted');
  fill(path.join(ws, 'data'), 1 << 20);
  linkSync(path.join(ws, 'data'), path.join(ws, 'same-data'));
  closeSync(openSync(path.join(ws, 'sparse'), 'w'));
  truncateSync(path.join(ws, 'sparse'), 1 << 30);
  mkdirSync(path.join(ws, '.warden'));
  fill(path.join(ws, '.warden', 'records'), 4 << 20);
  const usage = await treeUsage(ws, ['.warden']);
  const blocks = statSync(path.join(ws, 'data')).blocks * 512;
  assert.equal(usage.entries, 2, 'data (its second name is the same file) and sparse');
  assert.equal(usage.bytes, blocks + MIN_ENTRY_BYTES, 'the data once, the sparse file at its least');
});

test('empty files and directories count at least one block each, so a million of them are not free', async () => {
  const ws = dir('empties');
  for (let i = 0; i < 100; i++) closeSync(openSync(path.join(ws, `e${i}`), 'w'));
  const usage = await treeUsage(ws);
  assert.equal(usage.entries, 100);
  assert.equal(usage.bytes, 100 * MIN_ENTRY_BYTES);
});

test('a file deleted while held open still counts, on the workspace device only', () => {
  const ws = dir('deleted');
  const file = path.join(ws, 'hidden');
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, Buffer.alloc(256 * 1024, 1));
    const device = statSync(ws).dev;
    unlinkSync(file);
    const held = openDeletedBytes([process.pid], device);
    assert.ok(held >= 256 * 1024, `${held} bytes held`);
    assert.equal(openDeletedBytes([process.pid], device + 1), 0, 'another device is not the workspace');
  } finally {
    closeSync(fd);
  }
  assert.equal(openDeletedBytes([process.pid], statSync(ws).dev), 0, 'closed: the space is free again');
});

test('the process tree of a pid includes itself', () => {
  assert.deepEqual(processTree(process.pid).slice(0, 1), [process.pid]);
  assert.deepEqual(processTree(2 ** 30), [2 ** 30], 'a pid that does not exist has no children');
});

test('sizes read as a person writes them', () => {
  assert.equal(formatSize(512), '512 B');
  assert.equal(formatSize(8 * 2 ** 20), '8 MiB');
  assert.equal(formatSize(10 * 2 ** 30), '10 GiB');
  assert.equal(formatSize(9.55 * 2 ** 20), '9.6 MiB');
});
