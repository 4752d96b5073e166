import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Backend, onBothBackends } from '../store/testing/both-stores.ts';
import { createLocalKeyWrapper, type KeyWrapper } from './key-wrapper.ts';
import { pgAuditStorage, readPgAuditLog } from './pg-storage.ts';
import { type AuditRecord, KEY_TYPE, RECOVERED_TYPE } from './record.ts';
import { createLocalSigner, type Signer } from './signer.ts';
import { type AuditStorage, auditLogPath, fileStorage, type OpenAuditStorage } from './storage.ts';
import { verifyAuditBytes } from './verify.ts';
import { openAuditLog } from './writer.ts';

let root: string;
let signer: Signer;
let wrapper: KeyWrapper;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-audit-storage-'));
  signer = await createLocalSigner({ keyDir: join(root, 'keys') });
  wrapper = await createLocalKeyWrapper({ keyDir: join(root, 'keys') });
});
after(async () => rm(root, { recursive: true, force: true }));

/**
 * A storage and a way to read a session's log back as bytes, for each backend. `crash()` lets the
 * last writer go as a killed process would: its file and lock released, no final digest written.
 */
async function storageOn(backend: Backend) {
  const opened: AuditStorage[] = [];
  const tracked =
    (open: OpenAuditStorage): OpenAuditStorage =>
    async (session) => {
      const storage = await open(session);
      opened.push(storage);
      return storage;
    };
  const crash = async () => opened.pop()?.close();
  if (backend.kind === 'sqlite') {
    const dir = await mkdtemp(join(root, 'files-'));
    return {
      dir,
      crash,
      storage: tracked(fileStorage(dir)),
      bytes: (session: string) => readFile(auditLogPath(dir, session)),
    };
  }
  const pool = await backend.pool();
  return {
    dir: root,
    crash,
    storage: tracked(pgAuditStorage(pool)),
    bytes: async (session: string) => (await readPgAuditLog(pool, session)) ?? Buffer.alloc(0),
  };
}

const records = (bytes: Buffer): AuditRecord[] =>
  bytes
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);

onBothBackends(
  'audit storage',
  (backend) => {
    test('a log written, cut off by a crash and continued verifies as one chain', async () => {
      const { dir, storage, bytes, crash } = await storageOn(backend);
      const open = () =>
        openAuditLog({ dir, session: 's1', signer, storage, digestEvery: 3, encryption: { wrapper } });
      const first = await open();
      assert.equal(first.previous, undefined);
      await first.append('model.request', { seq: 1, turn: 1 });
      await first.append('tool.finished', { seq: 2, output: 'secret source' });
      // A crash: never closed. The next writer starts where the stored records end.
      await crash();
      const second = await open();
      assert.deepEqual(second.previous, { type: 'tool.finished', data: { seq: 2, output: 'secret source' } });
      await second.append('model.request', { seq: 3, turn: 2 });
      await second.close();

      const stored = await bytes('s1');
      const result = verifyAuditBytes(stored, { publicKey: signer.publicKey, session: 's1' });
      assert.equal(result.ok, true, JSON.stringify(result));
      const types = records(stored).map((r) => r.type);
      assert.deepEqual(
        types.filter((t) => !t.startsWith('audit.')),
        ['model.request', 'tool.finished', 'model.request'],
      );
      assert.ok(types.includes(RECOVERED_TYPE), 'the crash is on record');
      assert.equal(types.filter((t) => t === KEY_TYPE).length, 2, 'a data key per writer');
      assert.doesNotMatch(stored.toString(), /secret source/, 'outputs are sealed at rest');
      const third = await open();
      assert.deepEqual(third.previous, { type: 'model.request', data: { seq: 3, turn: 2 } });
      await third.close();
    });
  },
  'files',
);

onBothBackends(
  'audit storage, two writers',
  (backend) => {
    const files = backend.kind === 'sqlite';
    const name = 'a second writer on a session cannot fork the chain: its record at a taken position fails';
    test(name, files ? { skip: 'a file log has a lock file instead (writer.test.ts)' } : {}, async () => {
      const { dir, storage, bytes } = await storageOn(backend);
      const open = () => openAuditLog({ dir, session: 'fork', signer, storage, durability: 'fsync-each' });
      const stale = await open();
      await stale.append('model.request', { seq: 1 });
      const successor = await open();
      await successor.append('model.request', { seq: 2 });
      await assert.rejects(stale.append('tool.started', { seq: 2 }), { code: 'audit.write_failed' });
      await successor.close();
      const result = verifyAuditBytes(await bytes('fork'), { publicKey: signer.publicKey, session: 'fork' });
      assert.equal(result.ok, true, JSON.stringify(result));
    });
  },
  'files',
);
