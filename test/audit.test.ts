import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type AuditRecord,
  createLogDecryptor,
  keyWrapperFromFile,
  MASTER_KEY_FILE,
} from '../src/audit/index.ts';
import { DEMO_SCRIPT } from '../src/cli/demo.ts';
import { jsonEvents, sampleRepo, warden } from './cli.ts';

let fixture: Awaited<ReturnType<typeof sampleRepo>>;
before(async () => {
  fixture = await sampleRepo();
});
after(() => fixture.cleanup());

const auditFiles = () =>
  readdirSync(join(fixture.repo, '.warden', 'audit')).filter((f) => f.endsWith('.jsonl'));
// warden() runs with HOME beside the repository, so the keys are created there.
const masterKeyFile = () => join(dirname(fixture.repo), '.local', 'state', 'warden', 'keys', MASTER_KEY_FILE);

/** The log's records with their payloads decrypted, as someone holding the master key reads them. */
async function openRecords(raw: string) {
  const decryptor = createLogDecryptor(await keyWrapperFromFile(masterKeyFile()));
  const records: Array<AuditRecord & { data: Record<string, unknown> }> = [];
  for (const line of raw.trim().split('\n')) {
    const record = JSON.parse(line) as AuditRecord;
    records.push({ ...record, data: (await decryptor.open(record)) as Record<string, unknown> });
  }
  return records;
}

test('a session leaves a signed audit log that verifies, records intent before outcome, and proves a record', async () => {
  const result = await warden(['exec', '--json', '--model', `script:${DEMO_SCRIPT}`, 'fix it'], {
    cwd: fixture.repo,
  });
  assert.equal(result.code, 0, result.stderr);
  const session = jsonEvents(result.stdout)[0]?.session ?? '';
  assert.deepEqual(auditFiles(), [`${session}.audit.jsonl`]);

  const verify = await warden(['audit', 'verify'], { cwd: fixture.repo });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  assert.match(verify.stdout, /^intact {2}.*\d+ records, [1-9]\d* signed digests/);

  const lines = await openRecords(
    await readFile(join(fixture.repo, '.warden', 'audit', `${session}.audit.jsonl`), 'utf8'),
  );
  const types = lines.map((r) => r.type);
  for (const type of [
    'session.started',
    'model.request',
    'policy.decided',
    'tool.started',
    'tool.finished',
    'file.changed',
    'session.finished',
  ]) {
    assert.ok(types.includes(type), `records ${type}`);
  }
  // Write-ahead: every effect's intent precedes its outcome.
  for (const finished of lines.filter((r) => r.type === 'tool.finished')) {
    const started = lines.find((r) => r.type === 'tool.started' && r.data.callId === finished.data.callId);
    assert.ok(started && started.seq < finished.seq);
  }
  assert.equal(types.at(-1), 'audit.digest', 'the log ends with its final signed digest');

  const edit = lines.find((r) => r.type === 'file.changed');
  const prove = await warden(['audit', 'prove', session, String(edit?.seq)], { cwd: fixture.repo });
  assert.equal(prove.code, 0, prove.stderr);
  assert.match(prove.stderr, /is included under the signed digest/);
});

test('code, prompts and diffs are encrypted at rest; verify needs no master key; show --decrypt opens them', async () => {
  const [name] = auditFiles();
  const session = (name ?? '').replace('.audit.jsonl', '');
  const raw = await readFile(join(fixture.repo, '.warden', 'audit', name ?? ''), 'utf8');
  const records = await openRecords(raw);
  assert.equal(records[0]?.type, 'audit.key', 'the sealed data key opens the log');
  const started = records.find((r) => r.type === 'session.started');
  assert.equal(started?.data.task, 'fix it');
  const diff = records.find((r) => r.type === 'file.changed')?.data.diff;
  assert.ok(typeof diff === 'string' && diff.length > 0);
  assert.ok(!raw.includes('fix it'), 'the task is not in the raw log');
  assert.ok(!raw.includes(JSON.stringify(diff).slice(1, -1)), 'the diff is not in the raw log');
  const added = diff
    .split('\n')
    .find((l) => l.startsWith('+') && !l.startsWith('+++') && l.trim().length > 3);
  assert.ok(
    added && !raw.includes(JSON.stringify(added.slice(1)).slice(1, -1)),
    'no added line in plain text',
  );

  // Only the public key: the chain covers the ciphertext.
  const verify = await warden(['audit', 'verify', session], { cwd: fixture.repo });
  assert.equal(verify.code, 0, verify.stdout + verify.stderr);

  const sealed = await warden(['audit', 'show', session], { cwd: fixture.repo });
  assert.equal(sealed.code, 0, sealed.stderr);
  assert.match(sealed.stdout, /session\.started +\[encrypted\]/);
  assert.doesNotMatch(sealed.stdout, /fix it/);
  const opened = await warden(['audit', 'show', session, '--decrypt'], { cwd: fixture.repo });
  assert.equal(opened.code, 0, opened.stderr);
  assert.match(opened.stdout, /session\.started +task=fix it/);

  const wrongKey = join(fixture.repo, '..', 'wrong-master.key');
  await writeFile(wrongKey, `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
  const wrong = await warden(['audit', 'show', session, '--master-key', wrongKey], { cwd: fixture.repo });
  assert.equal(wrong.code, 1);
  assert.match(wrong.stdout, /cannot decrypt: .*does not open the log's data key/);
  assert.doesNotMatch(wrong.stdout, /fix it/);
});

test('any change to the log is caught and named: an edited byte, a removed record, a cut tail', async () => {
  const [name] = auditFiles();
  const file = join(fixture.repo, '.warden', 'audit', name ?? '');
  const original = await readFile(file, 'utf8');
  const lines = original.trimEnd().split('\n');
  const cases: Array<[string, string, RegExp]> = [
    ['edited', original.replace('"npm test"', '"npm tesT"'), /BROKEN .*line \d+: hash — .*seq \d+/],
    ['removed', `${[...lines.slice(0, 3), ...lines.slice(4)].join('\n')}\n`, /BROKEN .*: (chain|seq)/],
    ['cut', `${lines.slice(0, -1).join('\n')}\n`, /BROKEN .*: truncated/],
  ];
  try {
    for (const [what, text, expected] of cases) {
      await writeFile(file, text);
      const verify = await warden(['audit', 'verify', join(file)], { cwd: fixture.repo });
      assert.equal(verify.code, 1, what);
      assert.match(verify.stdout, expected, what);
    }
  } finally {
    await writeFile(file, original);
  }
  assert.equal((await warden(['audit', 'verify'], { cwd: fixture.repo })).code, 0);
});
