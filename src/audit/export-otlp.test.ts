import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { WardenError } from '../errors.ts';
import { exportOtlp, type OtlpAttribute, type OtlpSpan, type OtlpTraces, traceIdOf } from './export-otlp.ts';
import { createLocalSigner, type Signer } from './signer.ts';
import { openAuditLog } from './writer.ts';

type Received = { method: string; url: string; contentType: string; body: OtlpTraces };

let root: string;
let signer: Signer;
let server: Server;
let endpoint: string;
let received: Received[] = [];
let answer = 200;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-audit-export-otlp-'));
  signer = await createLocalSigner({ keyDir: join(root, 'keys') });
  server = createServer(async (req, res) => {
    const body = await readBody(req);
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      contentType: req.headers['content-type'] ?? '',
      body: JSON.parse(body) as OtlpTraces,
    });
    res.writeHead(answer, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(root, { recursive: true, force: true });
});

async function makeLog(session: string): Promise<string> {
  let ms = Date.parse('2026-01-01T00:00:00.000Z');
  const now = () => {
    ms += 10;
    return new Date(ms);
  };
  const log = await openAuditLog({ dir: join(root, 'logs'), session, signer, digestEvery: 5, now });
  const usage = { inputTokens: 120, outputTokens: 30, cacheReadTokens: 0, cacheWriteTokens: 0 };
  await log.append('session.started', { task: 'fix', model: 'claude-x', repo: '/r' });
  await log.append('model.request', { turn: 1, model: 'claude-x', messages: 2, estimatedInputTokens: 100 });
  await log.append('model.response', {
    turn: 1,
    model: 'claude-x',
    text: 'ok',
    toolCalls: 2,
    usage,
    finishReason: 'tool-calls',
  });
  await log.append('policy.decided', {
    callId: 'c1',
    tool: 'shell',
    decision: 'allow',
    policies: ['p'],
    reason: 'ok',
  });
  await log.append('tool.started', { callId: 'c1', tool: 'shell' });
  await log.append('net.request', {
    host: 'registry.npmjs.org',
    port: 443,
    method: 'GET',
    allowed: true,
    bytes: 10,
  });
  await log.append('tool.finished', { callId: 'c1', tool: 'shell', ok: true, output: 'x', durationMs: 20 });
  await log.append('tool.started', { callId: 'c2', tool: 'write_file' });
  await log.append('tool.finished', {
    callId: 'c2',
    tool: 'write_file',
    ok: false,
    output: 'no',
    durationMs: 5,
  });
  await log.append('model.request', { enc: 'aes-256-gcm', iv: 'aa', ct: 'c2VjcmV0IHByb21wdA==', tag: 'cc' });
  await log.append('model.response', { enc: 'aes-256-gcm', iv: 'ab', ct: 'c2VjcmV0IGFuc3dlcg==', tag: 'cd' });
  await log.close();
  return log.file;
}

function attrs(span: OtlpSpan | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of span?.attributes ?? ([] as OtlpAttribute[])) out[a.key] = Object.values(a.value)[0];
  return out;
}

test('a session is POSTed to /v1/traces as GenAI-convention spans', async () => {
  received = [];
  answer = 200;
  const file = await makeLog('sess-1');
  const result = await exportOtlp(file, { endpoint: `${endpoint}/`, publicKey: signer.publicKey });
  assert.equal(received.length, 1);
  const [post] = received;
  assert.equal(post?.method, 'POST');
  assert.equal(post?.url, '/v1/traces');
  assert.equal(post?.contentType, 'application/json');
  const resource = post?.body.resourceSpans[0];
  assert.deepEqual(resource?.resource.attributes, [
    { key: 'service.name', value: { stringValue: 'warden' } },
  ]);
  const spans = resource?.scopeSpans[0]?.spans ?? [];
  assert.equal(result.spans, spans.length);
  assert.deepEqual(
    spans.map((s) => s.name),
    ['invoke_agent warden', 'chat claude-x', 'execute_tool shell', 'execute_tool write_file', 'chat unknown'],
  );
  const traceId = traceIdOf('sess-1');
  assert.match(traceId, /^[0-9a-f]{32}$/);
  const [rootSpan, chat, shell, write, encChat] = spans;
  for (const span of spans) {
    assert.equal(span.traceId, traceId);
    assert.match(span.spanId, /^[0-9a-f]{16}$/);
    assert.match(span.startTimeUnixNano, /^\d+$/);
    assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano));
    if (span !== rootSpan) assert.equal(span.parentSpanId, rootSpan?.spanId);
  }
  assert.equal(new Set(spans.map((s) => s.spanId)).size, spans.length);
  assert.equal(rootSpan?.parentSpanId, undefined);
  assert.equal(attrs(rootSpan)['gen_ai.conversation.id'], 'sess-1');

  assert.deepEqual(
    { ...attrs(chat), 'warden.audit.seq': undefined },
    {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'claude-x',
      'gen_ai.usage.input_tokens': '120',
      'gen_ai.usage.output_tokens': '30',
      'gen_ai.response.finish_reasons': 'tool-calls',
      'warden.audit.seq': undefined,
    },
  );
  // The clock advances 10 ms per record: request → response is one record apart.
  assert.equal(BigInt(chat?.endTimeUnixNano ?? 0) - BigInt(chat?.startTimeUnixNano ?? 0), 10_000_000n);

  assert.equal(attrs(shell)['gen_ai.tool.name'], 'shell');
  assert.equal(attrs(shell)['gen_ai.tool.call.id'], 'c1');
  assert.equal(attrs(shell)['gen_ai.operation.name'], 'execute_tool');
  assert.equal(shell?.status.code, 0);
  assert.deepEqual(
    shell?.events.map((e) => [e.name, attrs(e as unknown as OtlpSpan)['server.address']]),
    [['warden.net.request', 'registry.npmjs.org']],
  );
  assert.equal(attrs(write)['gen_ai.tool.call.id'], 'c2');
  assert.equal(write?.status.code, 2);

  const policy = rootSpan?.events.find((e) => e.name === 'warden.policy.decided');
  assert.ok(policy);
  assert.equal(attrs(policy as unknown as OtlpSpan)['warden.policy.decision'], 'allow');

  // Encrypted payloads leave nothing of their content.
  const text = JSON.stringify(post?.body);
  assert.ok(!text.includes('c2VjcmV0'));
  assert.equal(attrs(rootSpan)['warden.audit.encrypted'], true);
  assert.equal(attrs(encChat)['gen_ai.usage.input_tokens'], undefined);
});

test('a collector error and a broken log are both errors', async () => {
  received = [];
  const file = await makeLog('sess-2');
  answer = 500;
  await assert.rejects(
    exportOtlp(file, { endpoint, publicKey: signer.publicKey }),
    (error: unknown) => error instanceof WardenError && error.code === 'audit.export_failed',
  );
  answer = 200;
  const other = await createLocalSigner({ keyDir: join(root, 'other-keys') });
  received = [];
  await assert.rejects(
    exportOtlp(file, { endpoint, publicKey: other.publicKey }),
    (error: unknown) => error instanceof WardenError && error.code === 'audit.broken',
  );
  assert.equal(received.length, 0);
  await exportOtlp(file, { endpoint, publicKey: other.publicKey, force: true });
  assert.equal(received.length, 1);
});
