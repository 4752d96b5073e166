import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type AuditRecord, RECOVERED_TYPE } from './record.ts';
import { createLocalSigner } from './signer.ts';
import { verifyAuditLog } from './verify.ts';
import { openAuditLog } from './writer.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-audit-crash-'));
});
after(async () => rm(root, { recursive: true, force: true }));

// The child prints each seq once append() has resolved, i.e. once the record is durable.
const CHILD = `
import { openAuditLog } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'writer.ts')).href)};
import { createLocalSigner } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, 'signer.ts')).href)};
const [dir, keyDir] = process.argv.slice(2);
const signer = await createLocalSigner({ keyDir });
const log = await openAuditLog({ dir, session: 'k', signer, digestEvery: 50, durability: 'group' });
for (let n = 0; ; ) {
  const batch = [];
  for (let i = 0; i < 16; i++, n++) {
    batch.push(log.append('tool.requested', { n, pad: 'x'.repeat(n % 300) }).then((r) => process.stdout.write(r.seq + '\\n')));
  }
  await Promise.all(batch);
}
`;

test('kill -9 during heavy appends leaves a log that verifies up to its last durable record', async () => {
  const dir = join(root, 'log');
  const keyDir = join(root, 'keys');
  const script = join(root, 'child.mjs');
  await writeFile(script, CHILD);
  const child = spawn(process.execPath, [script, dir, keyDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let lastDurable = -1;
  let buffered = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) lastDurable = Math.max(lastDurable, Number(line));
    if (lastDurable >= 600 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
  });
  const signal = await exited;
  assert.equal(signal, 'SIGKILL', `the child ended on its own: ${stderr}`);
  assert.ok(lastDurable >= 600);

  const signer = await createLocalSigner({ keyDir });
  const file = join(dir, 'k.audit.jsonl');
  const result = await verifyAuditLog(file, { publicKey: signer.publicKey });
  assert.equal(result.ok, false, 'a crashed log is never called intact');
  if (result.ok) return;
  assert.ok(['torn-tail', 'truncated'].includes(result.firstBad.check), result.message);
  assert.ok(
    result.records > lastDurable,
    `every acknowledged record is in the valid prefix: ${result.records} records, last acknowledged seq ${lastDurable}`,
  );

  // Reopening takes over the dead writer's lock, cuts any torn bytes, records that, and closes cleanly.
  const reopened = await openAuditLog({ dir, session: 'k', signer });
  await reopened.close();
  const after = await verifyAuditLog(file, { publicKey: signer.publicKey });
  assert.equal(after.ok, true, after.ok ? '' : after.message);
  const records = (await readFile(file, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecord);
  const recovered = records.find((r) => r.type === RECOVERED_TYPE);
  assert.equal(recovered?.seq, result.records);
});
