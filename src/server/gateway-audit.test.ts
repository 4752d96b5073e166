import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import type { GatewayCall } from '../gateway/index.ts';
import { gatewayRecord, openGatewayAudit } from './gateway-audit.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-gateway-audit-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const call = (n: number, extra: Partial<GatewayCall> = {}): GatewayCall => ({
  id: `chatcmpl-${n}`,
  time: new Date().toISOString(),
  api: 'openai.chat',
  owner: 'ci',
  keyId: 'wk-0123456789ab',
  team: 'red',
  requestedModel: 'gpt-4o',
  model: 'openai:gpt-5.5',
  stream: false,
  status: 200,
  usage: { inputTokens: 10, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 },
  cost: 0.001,
  durationMs: 12,
  attempts: 1,
  ...extra,
});

const open = (lines: string[] = []) =>
  openGatewayAudit({
    dir: join(dir, 'audit'),
    keyDir: join(dir, 'keys'),
    routes: ['openai:gpt-5.5'],
    log: (line) => lines.push(line),
  });

test("a live log verifies up to this server's last record; a cut tail or an edit does not", async () => {
  const audit = await open();
  for (let n = 0; n < 5; n++) audit.record(call(n));
  assert.deepEqual(await audit.verify(), { ok: true, records: 6, digests: 0, open: true });

  const whole = await readFile(audit.file, 'utf8');
  const lines = whole.split('\n').filter(Boolean);
  await writeFile(audit.file, `${lines.slice(0, -1).join('\n')}\n`);
  const cut = await audit.verify();
  assert.equal(cut.ok, false, 'the last record was cut off');

  await writeFile(audit.file, whole.replace('"inputTokens":10', '"inputTokens":1'));
  const edited = await audit.verify();
  assert.equal(edited.ok, false);
  assert.equal(edited.ok === false && edited.firstBad.check, 'hash');

  await writeFile(audit.file, whole);
  await audit.close();
  const closed = await open();
  assert.equal((await closed.verify()).ok, true, 'reopened, the chain goes on');
  await closed.close();
});

test('a record carries who, model, tokens and cost, and no provider error text (it may quote the prompt)', () => {
  const failed = gatewayRecord(
    call(1, { status: 400, error: { code: 'model.request', message: 'prompt "secret plans" too long' } }),
  );
  assert.deepEqual(failed.error, { code: 'model.request' });
  const refused = gatewayRecord(
    call(2, {
      status: 429,
      error: { code: 'gateway.budget', message: "the token budget of ci's key is spent" },
    }),
  );
  assert.deepEqual(refused.error, {
    code: 'gateway.budget',
    message: "the token budget of ci's key is spent",
  });
  assert.deepEqual(
    [refused.owner, refused.team, refused.keyId, refused.model, refused.cost],
    ['ci', 'red', 'wk-0123456789ab', 'openai:gpt-5.5', 0.001],
  );
});
