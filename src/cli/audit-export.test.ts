import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createLocalSigner, PUBLIC_KEY_FILE } from '../audit/index.ts';
import { openAuditLog } from '../audit/writer.ts';
import { WardenError } from '../errors.ts';
import { auditExportCommand } from './audit-export.ts';
import type { CommandIo } from './main.ts';

let root: string;
let file: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-cli-audit-export-'));
  const signer = await createLocalSigner({ keyDir: join(root, 'keys') });
  const log = await openAuditLog({ dir: join(root, 'logs'), session: 's', signer });
  await log.append('tool.started', { callId: 'c', tool: 'shell' });
  await log.close();
  file = log.file;
});
after(async () => rm(root, { recursive: true, force: true }));

function io(out: string[], err: string[]): CommandIo {
  return {
    cwd: root,
    env: {},
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stdoutIsTty: false,
    stdin: Readable.from([]),
    stdinIsTty: false,
  };
}

test('export --format jsonl prints each record with verified', async () => {
  const out: string[] = [];
  const key = join(root, 'keys', PUBLIC_KEY_FILE);
  const code = await auditExportCommand(
    ['s', '--format', 'jsonl', '--audit-dir', 'logs', '--key', key],
    io(out, []),
  );
  assert.equal(code, 0);
  const records = out
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(records.length >= 2);
  assert.ok(records.every((r) => r.verified === true && r.session === 's'));
  assert.ok(records.some((r) => r.type === 'tool.started'));
});

test('export refuses a missing format, an otlp export without endpoint, and a missing key', async () => {
  const key = join(root, 'keys', PUBLIC_KEY_FILE);
  const usage = (error: unknown) => error instanceof WardenError && error.code === 'usage';
  await assert.rejects(auditExportCommand([file, '--key', key], io([], [])), usage);
  await assert.rejects(auditExportCommand([file, '--format', 'otlp', '--key', key], io([], [])), usage);
  await assert.rejects(
    auditExportCommand([file, '--format', 'jsonl', '--key', join(root, 'nope.pem')], io([], [])),
    (error: unknown) => error instanceof WardenError && error.code === 'audit.key',
  );
  await assert.rejects(auditExportCommand([], io([], [])), usage);
});
