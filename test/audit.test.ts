import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEMO_SCRIPT } from '../src/cli/demo.ts';
import { jsonEvents, sampleRepo, warden } from './cli.ts';

let fixture: Awaited<ReturnType<typeof sampleRepo>>;
before(async () => {
  fixture = await sampleRepo();
});
after(() => fixture.cleanup());

const auditFiles = () =>
  readdirSync(join(fixture.repo, '.warden', 'audit')).filter((f) => f.endsWith('.jsonl'));

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

  const lines = (await readFile(join(fixture.repo, '.warden', 'audit', `${session}.audit.jsonl`), 'utf8'))
    .trim()
    .split('\n')
    .map(
      (line) => JSON.parse(line) as { seq: number; type: string; data: { callId?: string; tool?: string } },
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
