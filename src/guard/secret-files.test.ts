import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createRedactor } from './redactor.ts';
import { findSecretFiles } from './secret-files.ts';

const KEY = 'wQ7xK2mZr9LpV4sT8nB3cY6d';

async function workspace(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'warden-secret-files-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

test('files holding a known key in any form are found; dependencies, .git, links and hidden paths are not read', async () => {
  const outside = await workspace({ 'secret.txt': KEY });
  const root = await workspace({
    'config.js': `module.exports = { key: '${KEY}' };\n`,
    'deploy/secret.yaml': `data:\n  token: ${Buffer.from(KEY).toString('base64')}\n`,
    'notes/split.md': `first ${KEY.slice(0, 12)}\nthen ${KEY.slice(12)}\n`,
    'src/app.js': 'console.log("no secret here");\n',
    'node_modules/pkg/index.js': KEY,
    '.git/config': KEY,
    'secrets/hidden.txt': KEY,
    'words.txt': 'NODE_ENV development\n',
  });
  try {
    await symlink(join(outside, 'secret.txt'), join(root, 'linked.txt'));
    const redactor = createRedactor();
    redactor.addKnown([
      { value: KEY, kind: 'deploy-token' },
      { value: 'development', kind: 'env-file' },
    ]);
    const found = await findSecretFiles(
      root,
      (text) => redactor.knownKeyIn(text),
      (path) => path.startsWith('secrets/'),
    );
    assert.deepEqual(
      [...found.files].sort(),
      [
        ['config.js', 'deploy-token'],
        ['deploy/secret.yaml', 'deploy-token'],
        ['notes/split.md', 'deploy-token'],
      ],
      'a value that is a word is redacted, but does not make a file secret',
    );
    assert.equal(found.complete, true);
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  }
});

test('the search is bounded and says so: files too large, and a workspace too big', async () => {
  const root = await workspace({
    'a.txt': 'x',
    'big.log': `${'y'.repeat(2000)}${KEY}`,
    'b/c.txt': KEY,
    'b/d.txt': 'z',
  });
  try {
    const holds = (text: string) => (text.includes(KEY) ? 'k' : undefined);
    const small = await findSecretFiles(root, holds, () => false, {
      maxFiles: 10,
      maxFileBytes: 1000,
      maxTotalBytes: 10_000,
    });
    assert.deepEqual([...small.files.keys()], ['b/c.txt']);
    assert.deepEqual(small.skipped, ['big.log']);
    assert.equal(small.complete, true);
    const few = await findSecretFiles(root, holds, () => false, {
      maxFiles: 2,
      maxFileBytes: 10_000,
      maxTotalBytes: 10_000,
    });
    assert.equal(few.complete, false);
    assert.equal(few.searched, 2);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("a file written as UTF-16 (PowerShell's >) is read as what it says", async () => {
  const root = await workspace({});
  try {
    await writeFile(
      join(root, 'le.ps1'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`$key = '${KEY}'`, 'utf16le')]),
    );
    await writeFile(join(root, 'nobom.txt'), Buffer.from(`token=${KEY}\r\n`, 'utf16le'));
    await writeFile(join(root, 'be.txt'), Buffer.from(`x ${KEY}`, 'utf16le').swap16());
    const redactor = createRedactor();
    redactor.addKnown([{ value: KEY, kind: 'deploy-token' }]);
    const found = await findSecretFiles(
      root,
      (text) => redactor.knownKeyIn(text),
      () => false,
    );
    assert.deepEqual([...found.files.keys()].sort(), ['be.txt', 'le.ps1', 'nobom.txt']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
