import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createLocalKeyWrapper, type KeyWrapper, MASTER_KEY_FILE, type WrappedKey } from './key-wrapper.ts';
import { createLogDecryptor } from './log-decryptor.ts';
import { asEncryptedPayload, decryptPayload, type EncryptedPayload, payloadAad } from './payload-cipher.ts';
import type { AuditRecord } from './record.ts';
import { createLocalSigner, type Signer } from './signer.ts';
import { verifyAuditLog } from './verify.ts';
import { openAuditLog } from './writer.ts';

let root: string;
let signer: Signer;
let wrapper: KeyWrapper;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-audit-enc-'));
  signer = await createLocalSigner({ keyDir: join(root, 'keys') });
  wrapper = await createLocalKeyWrapper({ keyDir: join(root, 'keys') });
});
after(() => rm(root, { recursive: true, force: true }));

const TASK = 'rewrite the billing module; secret plan 42';
const DIFF = '--- a/x.ts\n+++ b/x.ts\n+export const launchCode = 1234;\n';

async function writeLog(dir: string, session = 's1'): Promise<string> {
  const log = await openAuditLog({ dir, session, signer, encryption: { wrapper }, digestEvery: 3 });
  await log.append('session.started', { task: TASK, model: 'm', repo: '/r' });
  await log.append('policy.decided', { callId: 'c1', tool: 'shell', decision: 'allow' });
  await log.append('file.changed', { path: 'x.ts', diff: DIFF });
  await log.append('tool.finished', { callId: 'c1', tool: 'shell', output: 'ok: warhead armed' });
  await log.close();
  return log.file;
}

const parse = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditRecord);

async function openAll(records: AuditRecord[], using = wrapper) {
  const decryptor = createLogDecryptor(using);
  const out: unknown[] = [];
  for (const record of records) out.push(await decryptor.open(record));
  return out;
}

test('sensitive payloads round-trip through the log and are not in it in plain text; others stay plain', async () => {
  const file = await writeLog(join(root, 'round'));
  const raw = await readFile(file, 'utf8');
  assert.ok(!raw.includes('secret plan') && !raw.includes('launchCode') && !raw.includes('warhead'));
  const records = parse(raw);
  assert.equal(records[0]?.type, 'audit.key');
  assert.ok(asEncryptedPayload(records[1]?.data), 'session.started is sealed');
  assert.deepEqual(records[2]?.data, { callId: 'c1', tool: 'shell', decision: 'allow' });
  const opened = await openAll(records);
  assert.deepEqual(opened[1], { task: TASK, model: 'm', repo: '/r' });
  assert.deepEqual(opened[records.findIndex((r) => r.type === 'file.changed')], { path: 'x.ts', diff: DIFF });
});

test('verification needs only the public key: there is no master key in it', async () => {
  const file = await writeLog(join(root, 'verify'));
  const result = await verifyAuditLog(file, { publicKey: signer.publicKey });
  assert.equal(result.ok, true, JSON.stringify(result));
});

test('a ciphertext moved to another record does not open (AAD binds session, seq and type)', async () => {
  const records = parse(await readFile(await writeLog(join(root, 'swap')), 'utf8'));
  const started = records.find((r) => r.type === 'session.started') as AuditRecord;
  const changed = records.find((r) => r.type === 'file.changed') as AuditRecord;
  // Each opens in its own place; swapped, neither does.
  assert.equal(((await openAll([records[0] as AuditRecord, changed]))[1] as { diff: string }).diff, DIFF);
  await assert.rejects(openAll([records[0] as AuditRecord, { ...changed, data: started.data }]), {
    code: 'audit.decrypt_failed',
  });
  await assert.rejects(openAll([records[0] as AuditRecord, { ...started, seq: started.seq + 1 }]), {
    code: 'audit.decrypt_failed',
  });
});

test('a tampered ciphertext fails verify (hash) and decryption (GCM tag)', async () => {
  const file = await writeLog(join(root, 'tamper'));
  const records = parse(await readFile(file, 'utf8'));
  const sealed = records[1]?.data as EncryptedPayload;
  const ct = Buffer.from(sealed.ct, 'base64');
  ct[0] = (ct[0] ?? 0) ^ 1;
  const tampered = { ...sealed, ct: ct.toString('base64') };
  await assert.rejects(
    openAll([records[0] as AuditRecord, { ...(records[1] as AuditRecord), data: tampered }]),
    {
      code: 'audit.decrypt_failed',
    },
  );
  assert.throws(() => decryptPayload(Buffer.alloc(32), sealed, payloadAad('s1', 1, 'session.started')), {
    code: 'audit.decrypt_failed',
  });
  const raw = await readFile(file, 'utf8');
  await writeFile(file, raw.replace(sealed.ct, tampered.ct));
  const result = await verifyAuditLog(file, { publicKey: signer.publicKey });
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.firstBad.check, 'hash');
});

test('a wrong master key is reported, never a payload', async () => {
  const other = await createLocalKeyWrapper({ keyDir: join(root, 'other-keys') });
  const records = parse(await readFile(await writeLog(join(root, 'wrong')), 'utf8'));
  await assert.rejects(openAll(records, other), { code: 'audit.unwrap_failed' });
});

test('a reopened log gets a fresh data key in its own audit.key record; both segments open', async () => {
  const dir = join(root, 'reopen');
  await writeLog(dir);
  const file = await writeLog(dir);
  const records = parse(await readFile(file, 'utf8'));
  const keys = records.filter((r) => r.type === 'audit.key');
  assert.equal(keys.length, 2);
  assert.notDeepEqual(keys[0]?.data, keys[1]?.data);
  const opened = await openAll(records);
  assert.equal(opened.filter((d) => (d as { task?: string })?.task === TASK).length, 2);
  assert.equal((await verifyAuditLog(file, { publicKey: signer.publicKey })).ok, true);
});

test('verify checks the shape of an audit.key record', async () => {
  const broken: KeyWrapper = {
    keyId: 'fake',
    newDataKey: async () => ({
      dataKey: Buffer.alloc(32),
      wrapped: { alg: 'none' } as unknown as WrappedKey,
    }),
    unwrap: async () => Buffer.alloc(32),
  };
  const log = await openAuditLog({
    dir: join(root, 'badkey'),
    session: 's1',
    signer,
    encryption: { wrapper: broken },
  });
  await log.append('policy.decided', { decision: 'allow' });
  await log.close();
  const result = await verifyAuditLog(log.file, { publicKey: signer.publicKey });
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.firstBad, { seq: 0, line: 1, check: 'json' });
});

test('the master key file is created 0600 and one readable by others is refused', async () => {
  const keyDir = join(root, 'perm-keys');
  await createLocalKeyWrapper({ keyDir });
  const path = join(keyDir, MASTER_KEY_FILE);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const again = await createLocalKeyWrapper({ keyDir });
  const { dataKey, wrapped } = await again.newDataKey('s');
  assert.deepEqual(await (await createLocalKeyWrapper({ keyDir })).unwrap(wrapped, 's'), dataKey);
  await assert.rejects((await createLocalKeyWrapper({ keyDir })).unwrap(wrapped, 'other'), {
    code: 'audit.unwrap_failed',
  });
  await chmod(path, 0o644);
  await assert.rejects(createLocalKeyWrapper({ keyDir }), { code: 'audit.key_permissions' });
  await assert.rejects(createLocalKeyWrapper({ keyDir: join(root, 'none'), create: false }), {
    code: 'audit.key_missing',
  });
});
