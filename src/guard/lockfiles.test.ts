import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageSourceFile } from './lockfiles.ts';

test('lockfiles and registry settings are known wherever they are; other files are not', () => {
  for (const path of [
    'package-lock.json',
    'web/npm-shrinkwrap.json',
    'yarn.lock',
    'pnpm-lock.yaml',
    'poetry.lock',
    'uv.lock',
    'crates/x/Cargo.lock',
    'go.sum',
    'go.work',
    'bun.lock',
  ])
    assert.match(packageSourceFile(path) ?? '', /is a lockfile/, path);
  for (const path of ['.cargo/config.toml', 'x/.cargo/config', '.yarnrc.yml', 'uv.toml', 'pip.conf'])
    assert.match(packageSourceFile(path) ?? '', /configures where packages come from/, path);
  for (const path of ['package.json', 'src/lock.ts', 'go.mod', 'Cargo.toml', 'config.toml'])
    assert.equal(packageSourceFile(path), undefined, path);
});
