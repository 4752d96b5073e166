import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createKmsKeyWrapper } from '../src/audit/kms-key-wrapper.ts';
import { createLogDecryptor } from '../src/audit/log-decryptor.ts';
import type { AuditRecord } from '../src/audit/record.ts';
import { type FakeKms, startFakeKms } from '../src/audit/testing/kms-server.ts';
import { warden } from './cli.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

const CREDENTIALS = {
  accessKeyId: 'AKIASERVEKMSEXAMPLE1',
  secretAccessKey: 'serve-kms-secret/0123456789abcdefghij',
};

let kms: FakeKms;
let world: ServerWorld;
let served: Served;
let signingKey: string;
let dataKey: string;

/** The default credential chain from the environment; no profile file, no instance metadata. */
const awsEnv = (secretAccessKey = CREDENTIALS.secretAccessKey) => ({
  AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: secretAccessKey,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
});

async function configure(w: ServerWorld): Promise<void> {
  const file = join(w.data, 'server.yaml');
  await writeFile(join(w.scripts, 'gateway.json'), JSON.stringify({ turns: [{ text: 'hello' }] }));
  await writeFile(
    file,
    [
      await readFile(file, 'utf8'),
      'gateway:',
      `  default: ${JSON.stringify(`script:${w.scripts}/gateway.json`)}`,
      'audit_keys:',
      `  signer: { kms_key_id: alias/warden-audit, region: ${kms.region}, endpoint: ${JSON.stringify(kms.url)} }`,
      `  key_wrapper: { kms_key_id: alias/warden-data, region: ${kms.region}, endpoint: ${JSON.stringify(kms.url)} }`,
      '',
    ].join('\n'),
  );
}

before(async () => {
  Object.assign(process.env, awsEnv());
  kms = await startFakeKms({ credentials: CREDENTIALS });
  signingKey = kms.createKey('ECC_NIST_P256', 'warden-audit');
  dataKey = kms.createKey('SYMMETRIC_DEFAULT', 'warden-data');
  world = await serverWorld();
  await configure(world);
  served = await startServe(world, awsEnv());
});

after(async () => {
  if (served?.child.exitCode === null) {
    served.child.kill('SIGTERM');
    await served.exited;
  }
  await world?.cleanup();
  await kms?.close();
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

test('a served task is signed and sealed in KMS: it verifies with the KMS public key only, its payloads open with KMS, and no private key is on disk', async () => {
  const admin = client(served.url, served.adminToken);
  const repo = await world.repo('kms');
  const model = await world.script('fix', [
    { calls: [{ tool: 'read_file', args: { path: 'src/sum.js' } }] },
    {
      calls: [
        {
          tool: 'edit_file',
          args: { path: 'src/sum.js', old_string: 'return a - b;', new_string: 'return a + b;' },
        },
      ],
    },
    { text: 'Fixed sum().' },
  ]);
  const created = await admin('POST', '/v1/tasks', { repository: repo, instruction: 'fix sum', model });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  const task = await waitFor(`task ${id} to end`, async () => {
    const { body } = await admin('GET', `/v1/tasks/${id}`);
    return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
  });
  assert.equal(task.status, 'succeeded', JSON.stringify(task));
  assert.equal((await admin('GET', `/v1/tasks/${id}/audit/verify`)).body.ok, true, 'the server verifies it');
  assert.equal((await admin('GET', '/v1/gateway/audit/verify')).body.ok, true, "the gateway's log too");

  // Offline, as an auditor would: the log, and the public key as `aws kms get-public-key --output text` prints it.
  const log = await fetch(`${served.url}/v1/tasks/${id}/audit`, {
    headers: { authorization: `Bearer ${served.adminToken}` },
  });
  const logFile = join(world.dir, `${id}.audit.jsonl`);
  await writeFile(logFile, Buffer.from(await log.arrayBuffer()));
  await writeFile(join(world.dir, 'kms.pub.b64'), `${kms.publicKeyDer(signingKey).toString('base64')}\n`);
  const pem = createPublicKey({ key: kms.publicKeyDer(signingKey), format: 'der', type: 'spki' });
  await writeFile(join(world.dir, 'kms.pub.pem'), pem.export({ type: 'spki', format: 'pem' }));
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  await writeFile(join(world.dir, 'other.pub.pem'), other.export({ type: 'spki', format: 'pem' }));
  const verify = (key: string) =>
    warden(['audit', 'verify', logFile, '--key', key], { cwd: world.repos, timeoutMs: 20_000 });
  for (const key of ['kms.pub.b64', 'kms.pub.pem']) {
    const result = await verify(join(world.dir, key));
    assert.equal(result.code, 0, `${key}: ${result.stdout}${result.stderr}`);
  }
  const refused = await verify(join(world.dir, 'other.pub.pem'));
  assert.equal(refused.code, 1);
  assert.match(refused.stdout + refused.stderr, /not signed by the audit key/);

  // Sealed with a KMS data key bound to this task, and opened only through KMS.
  const records = (await readFile(logFile, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);
  const keyRecord = records.find((r) => r.type === 'audit.key');
  assert.deepEqual(keyRecord?.data && { ...(keyRecord.data as object), ct: '…' }, {
    alg: 'aws-kms',
    keyId: dataKey,
    ct: '…',
  });
  assert.ok(!JSON.stringify(records).includes('return a + b'), 'the edit is not readable in the log');
  const decryptor = createLogDecryptor(
    createKmsKeyWrapper({ keyId: 'alias/warden-data', region: kms.region, endpoint: kms.url }),
  );
  const opened = [];
  for (const record of records) opened.push(JSON.stringify(await decryptor.open(record)));
  assert.ok(
    opened.some((text) => text.includes('return a + b')),
    'the edit opens with the KMS key',
  );
  // And from the command line, with AWS credentials that may use the key: the record names it and its region.
  const shown = await warden(['audit', 'show', logFile, '--decrypt'], {
    cwd: world.repos,
    env: { ...awsEnv(), AWS_ENDPOINT_URL_KMS: kms.url },
    timeoutMs: 20_000,
  });
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /audit\.key +data key sealed by the AWS KMS key arn:aws:kms:/);
  assert.match(shown.stdout, /session\.started +task=fix sum/);
  assert.doesNotMatch(shown.stdout, /\[encrypted\]|cannot decrypt/);
  const denied = await warden(['audit', 'show', logFile, '--decrypt'], {
    cwd: world.repos,
    env: { ...awsEnv('not-the-secret'), AWS_ENDPOINT_URL_KMS: kms.url },
    timeoutMs: 60_000,
  });
  assert.equal(denied.code, 1);
  assert.match(
    denied.stdout,
    /cannot decrypt: AWS KMS Decrypt with key arn:aws:kms:.* InvalidSignatureException/,
  );
  assert.doesNotMatch(denied.stdout, /task=fix sum/);

  const generated = kms.calls.filter((c) => c.operation === 'GenerateDataKey' && c.authorized);
  assert.ok(generated.some((c) => c.encryptionContext?.['warden:log'] === id));
  assert.ok(kms.calls.some((c) => c.operation === 'Sign' && c.keyId === signingKey && c.authorized));
  assert.deepEqual(
    kms.calls.filter((c) => !c.authorized && c.error !== 'InvalidSignatureException'),
    [],
    'only the wrong secret above was refused',
  );

  for (const file of await filesUnder(world.data)) {
    assert.doesNotMatch(file, /audit-ed25519\.pem$|audit-master\.key$/, 'no local audit key is made');
    assert.ok(!(await readFile(file)).includes('PRIVATE KEY-----'), `${file} holds no private key`);
  }
});

test('bad AWS credentials stop warden serve at start with one line naming KMS, the key and the fix, not a stack', async () => {
  const w = await serverWorld();
  try {
    await configure(w);
    const result = await warden(['serve', '--port', '0', '--data', w.data], {
      cwd: w.dir,
      env: awsEnv('a-wrong-secret'),
      timeoutMs: 30_000,
    });
    assert.notEqual(result.code, 0);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(
      lines[0] ?? '',
      /^warden: .*server\.yaml:\d+:\d+: AWS KMS GetPublicKey with key alias\/warden-audit failed: InvalidSignatureException: The request signature we calculated does not match .* — check the AWS credentials/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
    assert.ok(kms.calls.some((c) => !c.authorized && c.error === 'InvalidSignatureException'));
  } finally {
    await w.cleanup();
  }
});
