import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileToPolicy } from './engine.ts';
import { parsePolicyFile } from './policy-file.ts';
import { askForSecretFiles } from './secret-files.ts';

test('reading or writing a file that holds a known secret is asked; what the policy denies stays denied', async () => {
  const text =
    'version: 1\nfiles:\n  read: ["*"]\n  write: ["*"]\n  deny: [".env"]\ncommands:\n  allow: ["*"]\n';
  const parsed = parsePolicyFile(text, 'test.yaml');
  assert.ok(parsed.ok);
  const base = await compileToPolicy(parsed.file, 'test.yaml');
  const policy = askForSecretFiles(
    base,
    new Map([
      ['src/config.js', 'deploy-token'],
      ['.env', 'env-file'],
    ]),
  );
  const read = await policy.decide({ kind: 'file.read', path: 'src/./config.js' });
  assert.equal(read.decision, 'ask');
  assert.match(
    read.reason,
    /read src\/config\.js: the file holds the value of a known secret \(deploy-token\)/,
  );
  assert.equal((await policy.decide({ kind: 'file.write', path: 'src/config.js' })).decision, 'ask');
  assert.equal((await policy.decide({ kind: 'file.read', path: '.env' })).decision, 'deny');
  assert.equal((await policy.decide({ kind: 'file.read', path: 'src/other.js' })).decision, 'allow');
  assert.equal((await policy.decide({ kind: 'shell', command: 'cat src/config.js' })).decision, 'allow');
  assert.deepEqual(policy.deniedPaths, ['.env', 'src/config.js', '.env']);
  assert.equal(askForSecretFiles(base, new Map()), base);
});
