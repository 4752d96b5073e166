import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTestWorkspace, type TestWorkspace } from './test-workspace.ts';
import { createWriteFileTool } from './write-file.ts';

let ws: TestWorkspace;
const tool = createWriteFileTool();

before(async () => {
  ws = await makeTestWorkspace({ 'src/x.js': 'old\n' });
});
after(() => ws.cleanup());

test('a new file is created with its directories and reported as added', async () => {
  const content = Array.from({ length: 12 }, (_, i) => `line ${i}`).join('\n');
  const result = await tool.execute({ path: 'lib/deep/new.js', content: `${content}\n` }, ws.context);
  assert.equal(result.output, 'wrote lib/deep/new.js (12 lines)');
  assert.equal(await ws.read('lib/deep/new.js'), `${content}\n`);
  assert.deepEqual(result.changes, [{ path: 'lib/deep/new.js', kind: 'added', after: `${content}\n` }]);
});

test('an existing file is overwritten and reported as modified with before and after', async () => {
  const result = await tool.execute({ path: './src/x.js', content: 'new' }, ws.context);
  assert.equal(result.output, 'wrote src/x.js (1 line)');
  assert.equal(await ws.read('src/x.js'), 'new');
  assert.deepEqual(result.changes, [{ path: 'src/x.js', kind: 'modified', before: 'old\n', after: 'new' }]);
});

test('an empty content writes an empty file', async () => {
  const result = await tool.execute({ path: 'empty.txt', content: '' }, ws.context);
  assert.equal(result.output, 'wrote empty.txt (0 lines)');
  assert.equal(await ws.read('empty.txt'), '');
});

test('writing a directory path is an error', async () => {
  const result = await tool.execute({ path: 'src', content: 'x' }, ws.context);
  assert.equal(result.isError, true);
  assert.match(result.output, /src is a directory/);
});

test('.git/hooks and paths out of the workspace are refused as tool errors', async () => {
  const hook = await tool.execute({ path: '.git/hooks/pre-commit', content: '#!/bin/sh\nevil' }, ws.context);
  assert.equal(hook.isError, true);
  assert.match(hook.output, /\.git/);
  assert.equal(existsSync(join(ws.root, '.git/hooks/pre-commit')), false);

  await symlink(ws.outside, join(ws.root, 'out'));
  const outward = await tool.execute({ path: 'out/planted.sh', content: 'evil' }, ws.context);
  assert.equal(outward.isError, true);
  assert.match(outward.output, /outside the workspace/);
  assert.equal(existsSync(join(ws.outside, 'planted.sh')), false);
});
