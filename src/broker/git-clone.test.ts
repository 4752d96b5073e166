import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createCredentialStore } from './credentials.ts';
import { cloneRepository } from './git-clone.ts';

let dir: string;
let source: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-clone-'));
  source = join(dir, 'source');
  const git = (...args: string[]) =>
    spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
      cwd: dir,
      stdio: 'ignore',
    });
  git('init', '-q', source);
  for (const n of [1, 2, 3]) {
    await writeFile(join(source, 'file.txt'), `version ${n}\n`);
    git('-C', source, 'add', '-A');
    git('-C', source, 'commit', '-qm', `commit ${n}`);
  }
});
after(() => rm(dir, { recursive: true, force: true }));

const clone = (url: string, target: string, depth = 1) =>
  cloneRepository({
    url,
    dir: join(dir, target),
    cwd: dir,
    credentials: createCredentialStore(),
    depth,
    timeoutMs: 20_000,
  });

test('a file: URL is cloned through git transport, shallow, with no hooks and no hard links to the source', async () => {
  const result = await clone(`file://${source}`, 'shallow');
  assert.equal(result.ok, true, result.message);
  const target = join(dir, 'shallow');
  assert.equal(readFileSync(join(target, 'file.txt'), 'utf8'), 'version 3\n');
  assert.ok(existsSync(join(target, '.git', 'shallow')), 'one commit of history');
  assert.ok(!existsSync(join(target, '.git', 'hooks')), 'no template, so not even sample hooks');
  const packs = readdirSync(join(target, '.git', 'objects', 'pack')).filter((f) => f.endsWith('.pack'));
  assert.ok(packs.length > 0, 'objects arrived as a pack, not as linked loose files');
  for (const pack of packs) assert.equal(statSync(join(target, '.git', 'objects', 'pack', pack)).nlink, 1);
  const config = readFileSync(join(target, '.git', 'config'), 'utf8');
  assert.match(config, new RegExp(`url = file://${source}`));
});

test('transports other than the URL’s own are off: ext:: runs nothing even when handed to the clone', async () => {
  const marker = join(dir, 'pwned');
  const result = await clone(`ext::sh -c touch% ${marker}`, 'ext');
  assert.equal(result.ok, false);
  assert.equal(existsSync(marker), false, 'the command did not run');
  assert.match(result.message, /git could not clone/);
});

test('a failed clone says why, in git’s words, without a credential', async () => {
  const result = await clone(`file://${dir}/missing.git`, 'missing');
  assert.equal(result.ok, false);
  assert.match(result.message, /missing\.git/);
  assert.equal(result.credential, undefined);
});
