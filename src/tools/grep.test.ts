import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createGrepTool } from './grep.ts';
import { findOnPath, type RipgrepChoice } from './ripgrep.ts';
import { makeSearchWorkspace } from './search-fixture.ts';
import type { TestWorkspace } from './test-workspace.ts';

const rg = await findOnPath('rg');
const noRg = rg ? false : 'ripgrep (rg) is not on PATH here; CI installs it';

let ws: TestWorkspace;
before(async () => {
  ws = await makeSearchWorkspace();
});
after(() => ws.cleanup());

const HELLO = [
  '.github/wf.yml:1:run: hello',
  'crlf.txt:1:hello',
  'docs/readme.md:1:say hello',
  'long.txt:1:[Omitted long matching line]',
  'src/a.ts:2:export function hello() {}',
  'src/b/c.ts:1:hello world',
  'src/b.txt:1:hello b',
];

const backends: Array<{ name: string; choice: RipgrepChoice; skip: string | false }> = [
  { name: 'ripgrep', choice: rg ?? false, skip: noRg },
  { name: 'javascript', choice: false, skip: false },
];

for (const backend of backends) {
  describe(`grep with the ${backend.name} backend`, { skip: backend.skip }, () => {
    const tool = createGrepTool({ ripgrep: backend.choice });

    test('finds matches as path:line:text in path order, skipping .git, node_modules, binaries and symlinks out', async () => {
      const result = await tool.execute({ pattern: 'hello' }, ws.context);
      assert.equal(result.output, HELLO.join('\n'));
      assert.deepEqual(result.details, { matches: 7, truncated: false, backend: backend.name });
    });

    test('paths the policy hides are left out of the results', async () => {
      const hidden = (path: string) => path === 'src/b/c.ts' || path.startsWith('docs/');
      const result = await tool.execute({ pattern: 'hello' }, { ...ws.context, hidden });
      assert.equal(
        result.output,
        HELLO.filter((line) => !line.startsWith('src/b/c.ts') && !line.startsWith('docs/')).join('\n'),
      );
    });

    test('ignore_case, path and glob narrow the search', async () => {
      const inB = await tool.execute({ pattern: 'hello', path: 'src/b', ignore_case: true }, ws.context);
      assert.equal(inB.output, 'src/b/c.ts:1:hello world\nsrc/b/c.ts:2:HELLO again');
      const ts = await tool.execute({ pattern: 'hel+o', glob: '*.ts' }, ws.context);
      assert.equal(ts.output, 'src/a.ts:2:export function hello() {}\nsrc/b/c.ts:1:hello world');
      const notTs = await tool.execute({ pattern: 'hello', path: 'src', glob: '!*.ts' }, ws.context);
      assert.equal(notTs.output, 'src/b.txt:1:hello b');
      assert.equal(notTs.source, 'grep hello in src', 'matches are labelled as content for the model');
      const oneFile = await tool.execute({ pattern: 'alpha', path: 'src/a.ts' }, ws.context);
      assert.equal(oneFile.output, 'src/a.ts:1:const alpha = 1;');
      const binary = await tool.execute({ pattern: 'hello', path: 'image.bin' }, ws.context);
      assert.equal(binary.output, 'image.bin: binary file matches');
    });

    test('no match says so', async () => {
      const result = await tool.execute({ pattern: 'zebra' }, ws.context);
      assert.equal(result.isError, undefined);
      assert.equal(result.output, 'no matches for "zebra" in .');
      assert.equal(result.source, undefined, "grep's own message, not content");
    });

    test('an invalid regex is a tool error carrying the engine message', async () => {
      const result = await tool.execute({ pattern: 'foo(' }, ws.context);
      assert.equal(result.isError, true);
      assert.match(result.output, /unclosed group|Unterminated group/i);
    });

    test('the match cap stops early with a notice saying how to narrow', async () => {
      const capped = createGrepTool({ ripgrep: backend.choice, maxMatches: 3 });
      const result = await capped.execute({ pattern: 'hello' }, ws.context);
      assert.deepEqual(result.output.split('\n').slice(0, 3), HELLO.slice(0, 3));
      assert.match(result.output, /\[stopped after 3 matches; narrow the search with .*a path .*glob/);
      assert.equal(result.details?.truncated, true);
    });

    test('a path out of the workspace is refused; a missing one is an error', async () => {
      const out = await tool.execute({ pattern: 'hello', path: 'outlink' }, ws.context);
      assert.equal(out.isError, true);
      assert.match(out.output, /outside the workspace/);
      const dots = await tool.execute({ pattern: 'hello', path: '../outside' }, ws.context);
      assert.match(dots.output, /outside the workspace/);
      const missing = await tool.execute({ pattern: 'hello', path: 'nope' }, ws.context);
      assert.match(missing.output, /no such file or directory: nope/);
    });

    test('a pattern or path starting with a dash is not taken as an option', async () => {
      await ws.write('-rf.txt', '--help me\n');
      const result = await tool.execute({ pattern: '--help', path: '-rf.txt' }, ws.context);
      assert.equal(result.output, '-rf.txt:1:--help me');
    });

    test('a FIFO as the path, or a link to one, is refused without opening it', {
      timeout: 10_000,
    }, async () => {
      for (const path of ['src/pipe', 'src/pipelink']) {
        const result = await tool.execute({ pattern: 'hello', path }, ws.context);
        assert.equal(result.isError, true, path);
        assert.match(result.output, /is not a regular file or directory \(a FIFO, socket or device\)/);
      }
    });

    test('a FIFO inside a searched directory is skipped, never opened', { timeout: 10_000 }, async () => {
      const opened: string[] = [];
      const workspace = {
        ...ws.workspace,
        readFile: (path: string) => {
          opened.push(path);
          return ws.workspace.readFile(path);
        },
      };
      const result = await tool.execute({ pattern: 'hello', path: 'src' }, { ...ws.context, workspace });
      assert.equal(result.isError, undefined, result.output);
      assert.equal(result.output, HELLO.filter((line) => line.startsWith('src/')).join('\n'));
      assert.ok(!opened.some((path) => path.includes('pipe')), opened.join(', '));
    });
  });
}

test('a ripgrep that runs past the timeout is killed and reported as a tool error', async () => {
  const slowRg = join(ws.outside, 'slow-rg');
  await writeFile(slowRg, '#!/bin/sh\nexec sleep 30\n');
  await chmod(slowRg, 0o755);
  const started = Date.now();
  const result = await createGrepTool({ ripgrep: slowRg, timeoutMs: 200 }).execute(
    { pattern: 'hello' },
    ws.context,
  );
  assert.ok(Date.now() - started < 5000, 'did not wait for the child');
  assert.equal(result.isError, true);
  assert.match(result.output, /grep timed out after 0\.2 s; narrow the search with .*a path .*glob/);
});
