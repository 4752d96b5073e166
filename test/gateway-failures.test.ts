/**
 * The gateway when things go wrong: providers that fail (retries, fallbacks, in-band errors
 * after the stream began), clients that go away, paths that do not exist.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WardenError } from '../src/errors.ts';
import {
  createModelRouter,
  createVirtualKeys,
  type GatewayCall,
  startGateway,
} from '../src/gateway/index.ts';
import { postJson, startTestGateway } from '../src/gateway/testing/gateway-fixture.ts';
import { parseSse, readJson } from '../src/gateway/testing/wire.ts';
import type { ModelClient } from '../src/models/types.ts';
import { gatewayRecord } from '../src/server/gateway-audit.ts';
import { gatewayEvent } from '../src/wrap/wrap-report.ts';

describe('gateway: upstream failures, retries and fallbacks as in the core', () => {
  const LIMITED = { error: { status: 429, retry_after: 0 } };
  const DOWN = { error: { status: 500 } };

  it('falls back when the primary keeps failing, and records which model answered', async () => {
    const t = await startTestGateway({
      scripts: { 'down.json': [DOWN, DOWN, DOWN], 'backup.json': [{ text: 'Answered by the fallback.' }] },
      aliases: { down: 'script:down.json' },
      config: { fallback_models: ['script:backup.json'] },
    });
    after(() => t.close());
    const response = await postJson(
      `${t.gateway.url}/v1/messages`,
      { model: 'down', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }], stream: true },
      t.key,
    );
    const events = parseSse(await response.text());
    const text = events.map((e) => (e.event === 'content_block_delta' ? e.data.delta.text : '')).join('');
    assert.equal(text, 'Answered by the fallback.');
    const record = t.records.at(-1);
    assert.deepEqual(
      [record?.requestedModel, record?.model, record?.attempts],
      ['down', 'script:backup.json', 4],
    );
  });

  it('a provider that stays rate limited is a 429 to the client once retries are spent', async () => {
    const t = await startTestGateway({
      scripts: { 'limited.json': [LIMITED, LIMITED, LIMITED] },
      default: 'script:limited.json',
    });
    after(() => t.close());
    const response = await postJson(
      `${t.gateway.openaiBaseUrl}/responses`,
      { model: 'gpt-5', input: 'hi', stream: true },
      t.key,
    );
    assert.equal(response.status, 429);
    const body = await readJson(response);
    assert.equal(body.error.code, 'rate_limit_exceeded');
    assert.match(body.error.message, /rate limited/);
    const record = t.records.at(-1);
    assert.deepEqual([record?.status, record?.error?.code, record?.attempts], [429, 'model.rate_limited', 3]);
  });

  it('a provider failing after the stream began ends it with an in-band error event', async () => {
    const t = await startTestGateway({
      scripts: { 'slow.json': [DOWN, DOWN, DOWN] },
      default: 'script:slow.json',
      // Headers go out at once, so the failure can only travel in the stream.
      streamGraceMs: 0,
      config: { retry: { max_attempts: 3, base_delay_ms: 30, max_delay_ms: 30 } },
    });
    after(() => t.close());
    const response = await postJson(
      `${t.gateway.url}/v1/messages`,
      { max_tokens: 50, messages: [{ role: 'user', content: 'hi' }], stream: true },
      t.key,
    );
    assert.equal(response.status, 200);
    const events = parseSse(await response.text());
    assert.equal(events[0]?.event, 'message_start');
    assert.equal(events.at(-1)?.event, 'error');
    assert.equal(events.at(-1)?.data.error.type, 'api_error');
    assert.deepEqual([t.records.at(-1)?.status, t.records.at(-1)?.error?.code], [502, 'model.unavailable']);
  });
});

describe('gateway when the client goes away', () => {
  it('cancels the model call and records 499', async () => {
    let cancelled: (() => void) | undefined;
    const wasCancelled = new Promise<void>((resolve) => {
      cancelled = resolve;
    });
    const hanging = () => ({
      info: { id: 'slow', provider: 'fake', model: 'slow', contextWindow: 1000, price: undefined },
      turn: (request: { signal?: AbortSignal }) =>
        new Promise<never>((_, reject) => {
          request.signal?.addEventListener('abort', () => {
            cancelled?.();
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          });
        }),
    });
    const keys = createVirtualKeys();
    const { key } = keys.issue({ owner: 'leaver' });
    const records: GatewayCall[] = [];
    const gateway = await startGateway({
      routes: createModelRouter({ resolve: hanging, default: 'slow' }),
      keys,
      record: (call) => records.push(call),
      streamGraceMs: 0,
    });
    after(() => gateway.close());
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      signal: controller.signal,
    });
    assert.equal(response.status, 200);
    controller.abort();
    await wasCancelled;
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual([records[0]?.status, records[0]?.owner], [499, 'leaver']);
  });

  it('charges the key an estimate for a stream the client closed after reading: the budget still ends', async () => {
    // The attack: read the answer's first chunk, close the stream before the provider's usage
    // arrives, and repeat — the provider bills every call, the key must too.
    const stalling = (id: string): ModelClient => ({
      info: { id, provider: 'fake', model: id, contextWindow: 100_000, price: { input: 1, output: 5 } },
      turn: (request, onDelta) =>
        new Promise<never>((_, reject) => {
          onDelta?.({ type: 'text', text: 'The first part of a long answer. ' });
          request.signal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' })),
          );
        }),
    });
    const keys = createVirtualKeys();
    const { key } = keys.issue({ owner: 'closer', budget: { tokens: 600 } });
    const records: GatewayCall[] = [];
    const gateway = await startGateway({
      routes: createModelRouter({ resolve: stalling, default: 'priced' }),
      keys,
      record: (call) => records.push(call),
      streamGraceMs: 0,
    });
    after(() => gateway.close());
    const body = JSON.stringify({
      max_tokens: 4000,
      stream: true,
      messages: [{ role: 'user', content: 'Summarise this. '.repeat(60) }],
    });
    const ask = (signal?: AbortSignal) =>
      fetch(`${gateway.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body,
        ...(signal === undefined ? {} : { signal }),
      });
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      const response = await ask(controller.signal);
      assert.equal(response.status, 200);
      const reader = response.body?.getReader();
      const first = await reader?.read();
      assert.ok(first?.value !== undefined && first.value.length > 0, 'the client got text');
      controller.abort();
      for (let wait = 0; wait < 100 && records.length <= i; wait++)
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(records.length, 3);
    for (const record of records) {
      assert.equal(record.status, 499);
      assert.equal(record.estimated, true);
      assert.ok(
        record.usage.inputTokens > 200,
        `input estimated from the request: ${record.usage.inputTokens}`,
      );
      assert.ok(record.usage.outputTokens > 0, 'the text streamed is charged');
      assert.ok((record.cost ?? 0) > 0, 'priced at the model rates');
    }
    const [held] = keys.list();
    assert.ok((held?.spent.tokens ?? 0) >= 600, `spent ${held?.spent.tokens}`);
    assert.ok((held?.spent.costUsd ?? 0) > 0);
    const refused = await ask();
    assert.equal(refused.status, 429);
    assert.match(await refused.text(), /budget/);
  });

  it('an unknown path on the standalone gateway is a 404 in OpenAI format', async () => {
    const gateway = await startGateway({
      routes: createModelRouter({
        resolve: (id) => ({
          info: { id, provider: 'fake', model: id, contextWindow: 1, price: undefined },
          turn: () => Promise.reject(new Error('not called')),
        }),
        default: 'x',
      }),
      keys: createVirtualKeys(),
    });
    after(() => gateway.close());
    const response = await fetch(`${gateway.url}/v2/nothing`);
    assert.equal(response.status, 404);
    assert.match((await readJson(response)).error.message, /no route GET \/v2\/nothing/);
  });
});

describe('what the record keeps of an error: its code, never text that may quote the prompt', () => {
  /** Every form a call's record takes: the gateway's own, wrap's event, serve's audit record. */
  const recorded = (call: GatewayCall) => JSON.stringify([call, gatewayEvent(call), gatewayRecord(call)]);

  it('a body that is not JSON: the parser quotes its start to the client, not to the record', async () => {
    const t = await startTestGateway({ scripts: { 'a.json': [{ text: 'x' }] }, default: 'script:a.json' });
    after(() => t.close());
    const response = await fetch(`${t.gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': t.key },
      body: 'Tr0ub4dor&3 is the password {"model":"x"}',
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /not valid JSON/);
    const record = t.records.at(-1) as GatewayCall;
    assert.equal(record.error?.code, 'gateway.request');
    assert.doesNotMatch(recorded(record), /Tr0ub|4dor|password/);
  });

  it("a provider's error quoting the prompt reaches the client, not the record", async () => {
    const quoting = (id: string): ModelClient => ({
      info: { id, provider: 'fake', model: id, contextWindow: 1000, price: undefined },
      turn: (request) =>
        Promise.reject(
          new WardenError(
            'model.request',
            `invalid request: messages[0] "${JSON.stringify(request.messages).slice(0, 80)}" is too long`,
          ),
        ),
    });
    const keys = createVirtualKeys();
    const { key } = keys.issue({ owner: 'quoted' });
    const records: GatewayCall[] = [];
    const gateway = await startGateway({
      routes: createModelRouter({ resolve: quoting, default: 'q' }),
      keys,
      record: (call) => records.push(call),
    });
    after(() => gateway.close());
    const response = await postJson(
      `${gateway.url}/v1/messages`,
      { max_tokens: 5, messages: [{ role: 'user', content: 'the launch codes are 0000-1234' }] },
      key,
    );
    assert.equal(response.status, 400);
    assert.match(await response.text(), /launch codes/);
    const record = records.at(-1) as GatewayCall;
    assert.deepEqual(record.error, {
      code: 'model.request',
      message: 'the provider refused the request as sent',
    });
    assert.doesNotMatch(recorded(record), /launch codes|0000-1234/);
  });
});
