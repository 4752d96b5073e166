import assert from 'node:assert/strict';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createReadFileTool } from './read-file.ts';
import { makeTestWorkspace, type TestWorkspace } from './test-workspace.ts';

const numbered = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n');

let ws: TestWorkspace;
const tool = createReadFileTool();

before(async () => {
  ws = await makeTestWorkspace({
    'small.txt': 'one\ntwo\nthree\n',
    'big.txt': `${numbered(5412)}\n`,
    'crlf.txt': 'a\r\nb\r\n',
    'empty.txt': '',
    'long.txt': `${'x'.repeat(2500)}\nshort\n`,
    'wide.txt': `${Array.from({ length: 3000 }, () => 'y'.repeat(100)).join('\n')}\n`,
    'image.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01, 0x02]),
  });
});
after(() => ws.cleanup());

test('a small file comes back whole, without a notice', async () => {
  const result = await tool.execute({ path: 'small.txt' }, ws.context);
  assert.equal(result.isError, undefined);
  assert.equal(result.output, 'one\ntwo\nthree');
  assert.equal(result.source, 'read_file small.txt', 'file content is labelled as such for the model');
  assert.deepEqual(result.details, {
    totalLines: 3,
    offset: 1,
    shownLines: 3,
    truncated: false,
    linesCut: 0,
  });
});

test('a long file is paged at 2000 lines with a notice giving the next offset', async () => {
  const first = await tool.execute({ path: 'big.txt' }, ws.context);
  const lines = first.output.split('\n');
  assert.equal(lines[0], 'line 1');
  assert.equal(lines[1999], 'line 2000');
  assert.match(
    first.output,
    /\[showing lines 1-2000 of 5412; call read_file with offset=2001 to continue\]$/,
  );
  assert.deepEqual(first.details, {
    totalLines: 5412,
    offset: 1,
    shownLines: 2000,
    truncated: true,
    linesCut: 0,
  });

  const last = await tool.execute({ path: 'big.txt', offset: 4001 }, ws.context);
  assert.ok(last.output.startsWith('line 4001\n'));
  assert.ok(last.output.endsWith('line 5412'));
  assert.equal(last.details?.truncated, false);
});

test('offset and limit pick a window, 1-based', async () => {
  const result = await tool.execute({ path: 'big.txt', offset: 10, limit: 3 }, ws.context);
  assert.ok(result.output.startsWith('line 10\nline 11\nline 12\n'));
  assert.match(result.output, /\[showing lines 10-12 of 5412; call read_file with offset=13 to continue\]/);
});

test('the byte budget stops a page before 2000 lines when lines are wide', async () => {
  const result = await tool.execute({ path: 'wide.txt' }, ws.context);
  const shown = result.details?.shownLines as number;
  assert.ok(shown < 2000 && shown > 400, `shown ${shown}`);
  assert.ok(Buffer.byteLength(result.output) < 51 * 1024);
  assert.match(result.output, new RegExp(`offset=${shown + 1} to continue`));
});

test('lines longer than 2000 characters are cut with a marker', async () => {
  const result = await tool.execute({ path: 'long.txt' }, ws.context);
  const [first, second] = result.output.split('\n');
  assert.equal(first, `${'x'.repeat(2000)} [… line cut, 2500 characters in all]`);
  assert.equal(second, 'short');
  assert.equal(result.details?.linesCut, 1);
});

test('CRLF line endings are not shown as stray carriage returns', async () => {
  const result = await tool.execute({ path: 'crlf.txt' }, ws.context);
  assert.equal(result.output, 'a\nb');
});

test('an empty file says so', async () => {
  const result = await tool.execute({ path: 'empty.txt' }, ws.context);
  assert.equal(result.output, '[empty.txt is empty]');
  assert.equal(result.details?.totalLines, 0);
});

test('a binary file is refused with its size', async () => {
  const result = await tool.execute({ path: 'image.png' }, ws.context);
  assert.equal(result.isError, true);
  assert.match(result.output, /image\.png is a binary file \(8 bytes\)/);
});

test('a missing file suggests list_files', async () => {
  const result = await tool.execute({ path: 'src/missing.ts' }, ws.context);
  assert.equal(result.isError, true);
  assert.match(result.output, /file not found: src\/missing\.ts; call list_files/);
});

test('an offset past the end is an error giving the length', async () => {
  const result = await tool.execute({ path: 'small.txt', offset: 9 }, ws.context);
  assert.equal(result.isError, true);
  assert.match(result.output, /offset 9 is past the end of small\.txt, which has 3 lines/);
});

test('a directory is an error pointing to list_files', async () => {
  await ws.write('dir/x.txt', 'x');
  const result = await tool.execute({ path: 'dir' }, ws.context);
  assert.equal(result.isError, true);
  assert.match(result.output, /dir is a directory.*list_files/);
});

test('a symlink out of the workspace is refused as a tool error, not a throw', async () => {
  await writeFile(join(ws.outside, 'secret'), 'TOKEN=abc');
  await symlink(join(ws.outside, 'secret'), join(ws.root, 'innocent.txt'));
  const viaLink = await tool.execute({ path: 'innocent.txt' }, ws.context);
  assert.equal(viaLink.isError, true);
  assert.match(viaLink.output, /outside the workspace/);
  assert.doesNotMatch(viaLink.output, /TOKEN/);
  const viaDots = await tool.execute({ path: '../outside/secret' }, ws.context);
  assert.equal(viaDots.isError, true);
  assert.match(viaDots.output, /outside the workspace/);
});
