import assert from 'node:assert/strict';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createListFilesTool } from './list-files.ts';
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

const ALL = [
  '.github/wf.yml',
  'crlf.txt',
  'docs/readme.md',
  'image.bin',
  'long.txt',
  'src/a.ts',
  'src/b.txt',
  'src/b/c.ts',
];

const backends: Array<{ name: string; choice: RipgrepChoice; skip: string | false }> = [
  { name: 'ripgrep', choice: rg ?? false, skip: noRg },
  { name: 'javascript', choice: false, skip: false },
];

for (const backend of backends) {
  describe(`list_files with the ${backend.name} backend`, { skip: backend.skip }, () => {
    const tool = createListFilesTool({ ripgrep: backend.choice });

    test('lists every file, sorted, without .git, node_modules or the symlink out', async () => {
      const result = await tool.execute({}, ws.context);
      assert.equal(result.output, ALL.join('\n'));
      assert.deepEqual(result.details, { total: 8, shown: 8, truncated: false, backend: backend.name });
    });

    test('a subdirectory lists only its files, with workspace-relative paths', async () => {
      const result = await tool.execute({ path: 'src/' }, ws.context);
      assert.equal(result.output, 'src/a.ts\nsrc/b.txt\nsrc/b/c.ts');
      assert.equal(result.source, 'list_files src', "file names are anyone's to choose: content");
    });

    test('over the cap, the first entries come with a notice to pass a subdirectory', async () => {
      const capped = createListFilesTool({ ripgrep: backend.choice, maxEntries: 3 });
      const result = await capped.execute({}, ws.context);
      assert.equal(
        result.output,
        `${ALL.slice(0, 3).join('\n')}\n\n[showing 3 of 8 files; pass a subdirectory as path to see the rest, or use grep with a glob]`,
      );
      assert.equal(result.details?.truncated, true);
    });

    test('a symlinked directory out of the workspace, ../ and a missing path are errors', async () => {
      const out = await tool.execute({ path: 'outlink' }, ws.context);
      assert.equal(out.isError, true);
      assert.match(out.output, /outside the workspace/);
      const dots = await tool.execute({ path: '..' }, ws.context);
      assert.match(dots.output, /outside the workspace/);
      const missing = await tool.execute({ path: 'nope' }, ws.context);
      assert.match(missing.output, /no such directory: nope/);
    });

    test('a FIFO as the path, or a link to one, is refused; one inside a directory is not listed', async () => {
      for (const path of ['src/pipe', 'src/pipelink']) {
        const result = await tool.execute({ path }, ws.context);
        assert.equal(result.isError, true, path);
        assert.match(result.output, /is not a regular file or directory \(a FIFO, socket or device\)/);
      }
    });
  });
}

test('a ripgrep that runs past the timeout is killed and reported as a tool error', async () => {
  const slowRg = join(ws.outside, 'slow-rg');
  await writeFile(slowRg, '#!/bin/sh\nexec sleep 30\n');
  await chmod(slowRg, 0o755);
  const started = Date.now();
  const result = await createListFilesTool({ ripgrep: slowRg, timeoutMs: 200 }).execute({}, ws.context);
  assert.ok(Date.now() - started < 5000, 'did not wait for the child');
  assert.equal(result.isError, true);
  assert.match(result.output, /list_files timed out after 0\.2 s; pass a subdirectory as path/);
});

test('with ripgrep, .gitignore is respected in a git repository', { skip: noRg }, async () => {
  await writeFile(join(ws.root, '.gitignore'), 'docs/\n');
  try {
    const result = await createListFilesTool({ ripgrep: rg ?? false }).execute({}, ws.context);
    assert.ok(!result.output.includes('docs/readme.md'), result.output);
    assert.ok(result.output.includes('.gitignore'));
  } finally {
    await writeFile(join(ws.root, '.gitignore'), '');
  }
});

test('without a choice, rg is looked up on PATH', async () => {
  const result = await createListFilesTool().execute({ path: 'src' }, ws.context);
  assert.equal(result.details?.backend, rg ? 'ripgrep' : 'javascript');
});

test('findOnPath finds an executable in a PATH list and ignores relative entries', async () => {
  const dir = join(ws.outside, 'bin');
  await mkdir(dir);
  await writeFile(join(dir, 'fake-rg'), '#!/bin/sh\n');
  await chmod(join(dir, 'fake-rg'), 0o755);
  assert.equal(await findOnPath('fake-rg', `/nonexistent:bin:${dir}`), join(dir, 'fake-rg'));
  assert.equal(await findOnPath('fake-rg', '/nonexistent'), undefined);
});
