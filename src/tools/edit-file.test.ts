import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEditFileTool } from './edit-file.ts';
import { makeTestWorkspace, type TestWorkspace } from './test-workspace.ts';

let ws: TestWorkspace;
const tool = createEditFileTool();

before(async () => {
  ws = await makeTestWorkspace();
});
after(() => ws.cleanup());

test('a unique old_string is replaced and the change has before and after', async () => {
  await ws.write('sum.js', 'export function sum(a, b) {\n  return a - b;\n}\n');
  const result = await tool.execute({ path: 'sum.js', old_string: 'a - b', new_string: 'a + b' }, ws.context);
  assert.equal(result.isError, undefined);
  assert.equal(result.output, 'edited sum.js: replaced 1 occurrence (line 2)');
  assert.equal(await ws.read('sum.js'), 'export function sum(a, b) {\n  return a + b;\n}\n');
  assert.deepEqual(result.changes, [
    {
      path: 'sum.js',
      kind: 'modified',
      before: 'export function sum(a, b) {\n  return a - b;\n}\n',
      after: 'export function sum(a, b) {\n  return a + b;\n}\n',
    },
  ]);
});

test('an old_string that is not there is an error that says to read the file again', async () => {
  await ws.write('a.txt', 'alpha\n');
  const result = await tool.execute({ path: 'a.txt', old_string: 'beta', new_string: 'gamma' }, ws.context);
  assert.equal(result.isError, true);
  assert.match(result.output, /old_string was not found in a\.txt.*read_file again/s);
  assert.equal(await ws.read('a.txt'), 'alpha\n');
});

test('a near miss in indentation names the line where the loose match is', async () => {
  await ws.write('indent.py', 'def f():\n    if x:\n        return 1\n');
  const result = await tool.execute(
    { path: 'indent.py', old_string: 'if x:\n    return 1', new_string: 'if x:\n    return 2' },
    ws.context,
  );
  assert.equal(result.isError, true);
  assert.match(result.output, /starts at line 2/);
});

test('several occurrences are an error with the count and the lines, unless replace_all', async () => {
  await ws.write('dup.txt', 'x = 1\ny = 2\nx = 1\nz = 3\nx = 1\n');
  const refused = await tool.execute(
    { path: 'dup.txt', old_string: 'x = 1', new_string: 'x = 9' },
    ws.context,
  );
  assert.equal(refused.isError, true);
  assert.match(refused.output, /occurs 3 times in dup\.txt \(lines 1, 3, 5\)/);
  assert.match(refused.output, /replace_all/);
  assert.equal(await ws.read('dup.txt'), 'x = 1\ny = 2\nx = 1\nz = 3\nx = 1\n');

  const all = await tool.execute(
    { path: 'dup.txt', old_string: 'x = 1', new_string: 'x = 9', replace_all: true },
    ws.context,
  );
  assert.equal(all.output, 'edited dup.txt: replaced 3 occurrences (lines 1, 3, 5)');
  assert.equal(await ws.read('dup.txt'), 'x = 9\ny = 2\nx = 9\nz = 3\nx = 9\n');
});

test('old_string equal to new_string, or empty, is an error', async () => {
  await ws.write('same.txt', 'abc\n');
  const same = await tool.execute({ path: 'same.txt', old_string: 'abc', new_string: 'abc' }, ws.context);
  assert.equal(same.isError, true);
  assert.match(same.output, /the same/);
  const empty = await tool.execute({ path: 'same.txt', old_string: '', new_string: 'x' }, ws.context);
  assert.equal(empty.isError, true);
  assert.match(empty.output, /old_string is empty/);
});

test('a CRLF file matched with LF text stays CRLF, including the new lines', async () => {
  await ws.write('win.txt', 'one\r\ntwo\r\nthree\r\n');
  const result = await tool.execute(
    { path: 'win.txt', old_string: 'one\ntwo\n', new_string: 'one\nTWO\nand a half\n' },
    ws.context,
  );
  assert.equal(result.isError, undefined, result.output);
  assert.equal(await ws.read('win.txt'), 'one\r\nTWO\r\nand a half\r\nthree\r\n');
  assert.equal(result.details?.lineEnding, 'crlf');
});

test('an LF file edited with CRLF text stays LF', async () => {
  await ws.write('unix.txt', 'one\ntwo\n');
  await tool.execute({ path: 'unix.txt', old_string: 'one\r\ntwo', new_string: 'uno\r\ndos' }, ws.context);
  assert.equal(await ws.read('unix.txt'), 'uno\ndos\n');
});

test('replacement text with $ patterns is inserted literally', async () => {
  await ws.write('dollar.txt', 'price\n');
  await tool.execute({ path: 'dollar.txt', old_string: 'price', new_string: "$& $1 $$ $'" }, ws.context);
  assert.equal(await ws.read('dollar.txt'), "$& $1 $$ $'\n");
});

test('a missing file, a binary file and a protected path are tool errors', async () => {
  const missing = await tool.execute({ path: 'nope.txt', old_string: 'a', new_string: 'b' }, ws.context);
  assert.match(missing.output, /file not found: nope\.txt/);
  await ws.write('bin.dat', new Uint8Array([1, 0, 2]));
  const binary = await tool.execute({ path: 'bin.dat', old_string: 'a', new_string: 'b' }, ws.context);
  assert.match(binary.output, /binary file/);
  await ws.write('.git/config', '[core]\n');
  const git = await tool.execute(
    { path: '.git/config', old_string: '[core]', new_string: '[core]\n\thooksPath = x' },
    ws.context,
  );
  assert.equal(git.isError, true);
  assert.match(git.output, /read-only/);
  assert.equal(await ws.read('.git/config'), '[core]\n');
});
