import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { privately, secureDataDir } from './data-dir.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-data-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

test('an existing world-readable data directory and its databases are closed to everyone else', async () => {
  const data = join(dir, 'data');
  await mkdir(data);
  await chmod(data, 0o755);
  for (const name of ['server.db', 'server.db-wal', 'warden.db', 'warden.db-shm', 'server.yaml']) {
    await writeFile(join(data, name), '');
    await chmod(join(data, name), 0o644);
  }
  secureDataDir(data);
  assert.equal(mode(data), 0o700);
  for (const name of ['server.db', 'server.db-wal', 'warden.db', 'warden.db-shm']) {
    assert.equal(mode(join(data, name)), 0o600, name);
  }
  assert.equal(mode(join(data, 'server.yaml')), 0o644, 'only the databases are touched');
});

test('a new data directory is made 0700, and files opened privately are 0600', () => {
  const data = join(dir, 'fresh', 'data');
  secureDataDir(data);
  assert.equal(mode(data), 0o700);
  const umask = process.umask(0o022);
  privately(() => writeFileSync(join(data, 'new.db'), ''));
  assert.equal(mode(join(data, 'new.db')), 0o600);
  assert.equal(process.umask(umask), 0o022, 'the umask is restored');
});
