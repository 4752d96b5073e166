/**
 * The gateway between vendors: a client written for one vendor using another vendor's model
 * (loopback servers speaking OpenAI's and Anthropic's real streams), real SDK clients parsing
 * the gateway's answers, redaction and key handling on the way upstream, and the gateway
 * mounted inside another Fastify app as `warden serve` will mount it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import {
  createModelRouter,
  createVirtualKeys,
  type GatewayCall,
  gatewayPlugin,
} from '../src/gateway/index.ts';
import { postJson, startTestGateway, type TestGateway } from '../src/gateway/testing/gateway-fixture.ts';
import { parseSse, readJson } from '../src/gateway/testing/wire.ts';
import { createRedactor } from '../src/guard/redactor.ts';
import { resolveModel } from '../src/models/resolve.ts';
import { messagesStream } from '../src/models/testing/anthropic-messages-stream.ts';
import { responsesStream } from '../src/models/testing/openai-responses-stream.ts';
import { type LoopbackServer, requestJson, startLoopbackServer } from '../src/models/testing/sse-server.ts';
import { READ_FILE_SCHEMA, sampleRequest, userConfig } from '../src/models/testing/turn-fixtures.ts';

const PROVIDER_KEYS = {
  OPENAI_API_KEY: 'sk-proj-warden-only-openai-key-0001',
  ANTHROPIC_API_KEY: 'sk-ant-warden-only-key-0002',
};
const LEAKED = 'AKIAIOSFODNN7EXAMPLE';

describe('gateway across vendors', () => {
  let upstream: LoopbackServer;
  let t: TestGateway;
  before(async () => {
    upstream = await startLoopbackServer([]);
    t = await startTestGateway({
      aliases: { 'claude-*': 'openai:gpt-5', 'gpt-5-codex': 'anthropic:claude-sonnet-4-5' },
      env: PROVIDER_KEYS,
      config: {
        providers: {
          openai: { base_url: `${upstream.url}/v1` },
          anthropic: { base_url: `${upstream.url}/v1` },
        },
      },
    });
  });
  after(async () => {
    await t.close();
    await upstream.close();
  });

  it('an Anthropic client gets the tool call of an OpenAI model as tool_use; the secret in its tool result never goes upstream', async () => {
    upstream.serve([responsesStream()]);
    const response = await postJson(
      `${t.gateway.url}/v1/messages`,
      {
        model: 'claude-sonnet-4-5-20250929',
        max_tokens: 1024,
        stream: true,
        tools: [{ name: 'read_file', description: 'Read a file', input_schema: READ_FILE_SCHEMA }],
        messages: [
          { role: 'user', content: 'Fix the test.' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'toolu_0', name: 'read_file', input: { path: '.env' } }],
          },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'toolu_0',
                content: `AWS_ACCESS_KEY_ID=${LEAKED}\nWARDEN_GATEWAY_KEY=${t.key}`,
              },
            ],
          },
        ],
      },
      undefined,
      { 'x-api-key': t.key, 'anthropic-version': '2023-06-01' },
    );
    assert.equal(response.status, 200);
    const events = parseSse(await response.text());
    const text = events.map((e) => (e.data.delta?.type === 'text_delta' ? e.data.delta.text : '')).join('');
    assert.equal(text, 'Looking at the test.');
    const toolUse = events.find((e) => e.data.content_block?.type === 'tool_use')?.data.content_block;
    assert.deepEqual([toolUse.id, toolUse.name], ['call_abc', 'read_file']);
    const json = events.find((e) => e.data.delta?.type === 'input_json_delta')?.data.delta.partial_json;
    assert.deepEqual(JSON.parse(json), { path: 'src/sum.js' });
    const usage = events.find((e) => e.event === 'message_delta')?.data.usage;
    assert.deepEqual(usage, {
      input_tokens: 1000,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 200,
      output_tokens: 80,
    });

    const sent = upstream.requests[0];
    assert.equal(sent?.path, '/v1/responses');
    assert.equal(sent?.headers.authorization, `Bearer ${PROVIDER_KEYS.OPENAI_API_KEY}`);
    assert.ok(!sent?.body.includes(LEAKED), 'the secret was redacted before it went upstream');
    assert.ok(
      !sent?.body.includes(t.key) && !JSON.stringify(sent?.headers).includes(t.key),
      'the virtual key stays at the gateway',
    );
    const body = requestJson(sent);
    assert.deepEqual(
      (body.tools as Array<{ name: string }>).map((tool) => tool.name),
      ['read_file'],
    );

    const record = t.records.at(-1) as GatewayCall;
    assert.deepEqual(
      [record.api, record.model, record.usage.outputTokens],
      ['anthropic.messages', 'openai:gpt-5', 80],
    );
    assert.ok((record.cost ?? 0) > 0, 'a priced model has a cost');
  });

  it('a Codex-style Responses client gets the tool_use of an Anthropic model as a function_call', async () => {
    upstream.serve([messagesStream()]);
    const response = await postJson(
      `${t.gateway.openaiBaseUrl}/responses`,
      {
        model: 'gpt-5-codex',
        stream: true,
        instructions: 'You are Codex.',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'Fix the test.' }] }],
        tools: [
          { type: 'function', name: 'read_file', description: 'Read a file', parameters: READ_FILE_SCHEMA },
        ],
      },
      t.key,
    );
    assert.equal(response.status, 200);
    const events = parseSse(await response.text());
    const items = events.filter((e) => e.event === 'response.output_item.done').map((e) => e.data.item);
    assert.deepEqual(items[0].content[0].text, 'Looking at the test.');
    assert.deepEqual(
      [items[1].type, items[1].call_id, items[1].name, JSON.parse(items[1].arguments)],
      ['function_call', 'toolu_01', 'read_file', { path: 'src/sum.js' }],
    );
    assert.equal(events.at(-1)?.data.response.usage.output_tokens, 64);

    const sent = upstream.requests[0];
    assert.equal(sent?.path, '/v1/messages');
    assert.equal(sent?.headers['x-api-key'], PROVIDER_KEYS.ANTHROPIC_API_KEY);
    assert.match(JSON.stringify(requestJson(sent).system), /You are Codex\./);
  });
});

describe('gateway answers parsed by real SDK clients (the AI SDK providers Warden itself uses)', () => {
  let t: TestGateway;
  const TURNS = [
    { text: 'Reading it.', calls: [{ tool: 'read_file', args: { path: 'src/sum.js' } }] },
    { text: 'Fixed.' },
  ];
  before(async () => {
    t = await startTestGateway({
      scripts: { 'a.json': TURNS, 'b.json': TURNS, 'c.json': TURNS },
      aliases: {
        'gpt-5': 'script:a.json',
        'claude-sonnet-4-5': 'script:b.json',
        'local-model': 'script:c.json',
      },
    });
  });
  after(() => t.close());

  const viaGateway = (id: string) =>
    resolveModel(id, {
      config: userConfig({
        providers: {
          openai: { base_url: t.gateway.openaiBaseUrl },
          anthropic: { base_url: t.gateway.openaiBaseUrl },
          compat: { gw: { base_url: t.gateway.openaiBaseUrl, api_key_env: 'GATEWAY_KEY' } },
        },
        retry: { max_attempts: 1 },
      }),
      env: { OPENAI_API_KEY: t.key, ANTHROPIC_API_KEY: t.key, GATEWAY_KEY: t.key },
      cwd: '/',
    });

  for (const [id, api] of [
    ['openai:gpt-5', 'openai.responses'],
    ['anthropic:claude-sonnet-4-5', 'anthropic.messages'],
    ['compat:gw/local-model', 'openai.chat'],
  ] as const) {
    it(`${id} streams text and a tool call through ${api}, then the next turn`, async () => {
      const client = viaGateway(id);
      let streamed = '';
      const first = await client.turn(sampleRequest(), (delta) => {
        if (delta.type === 'text') streamed += delta.text;
      });
      assert.equal(streamed, 'Reading it.');
      assert.deepEqual(
        first.toolCalls.map((call) => [call.name, JSON.parse(call.input)]),
        [['read_file', { path: 'src/sum.js' }]],
      );
      assert.equal(first.finishReason, 'tool-calls');
      assert.ok(first.usage.inputTokens > 0);
      const second = await client.turn(
        sampleRequest({
          messages: [
            { role: 'user', text: 'Fix the failing test.' },
            { role: 'assistant', text: first.text, toolCalls: first.toolCalls },
            {
              role: 'tool',
              results: [
                {
                  callId: first.toolCalls[0]?.id ?? '',
                  toolName: 'read_file',
                  output: 'a - b',
                  isError: false,
                },
              ],
            },
          ],
        }),
      );
      assert.equal(second.text, 'Fixed.');
      assert.equal(t.records.at(-1)?.api, api);
    });
  }
});

describe('gateway mounted in another Fastify app (as warden serve will)', () => {
  it('serves under a prefix beside the routes of the app, which keep their own JSON parsing', async () => {
    const app = Fastify();
    app.post('/api/echo', async (request) => request.body);
    const keys = createVirtualKeys();
    const { key } = keys.issue({ owner: 'console-user' });
    const redactor = createRedactor();
    const records: GatewayCall[] = [];
    await app.register(
      gatewayPlugin({
        routes: createModelRouter({ resolve: fixedModel, default: 'fake' }),
        keys,
        redactor,
        record: (call) => records.push(call),
      }),
      { prefix: '/gateway' },
    );
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    after(() => app.close());
    const echo = await postJson(`${address}/api/echo`, { a: 1 }, undefined);
    assert.deepEqual(await readJson(echo), { a: 1 });
    const answer = await postJson(
      `${address}/gateway/v1/chat/completions`,
      { messages: [{ role: 'user', content: 'hi' }] },
      key,
    );
    assert.equal(answer.status, 200);
    assert.equal((await readJson(answer)).choices[0].message.content, 'hello from the mounted gateway');
    assert.equal(records[0]?.owner, 'console-user');
  });
});

/** A model that always says the same: enough to see the mounted routes answer. */
function fixedModel() {
  return {
    info: { id: 'fake', provider: 'fake', model: 'fake', contextWindow: 1000, price: undefined },
    turn: async () => ({
      text: 'hello from the mounted gateway',
      toolCalls: [],
      usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
      cost: undefined,
      finishReason: 'stop' as const,
      modelId: 'fake',
      attempts: 1,
    }),
  };
}
