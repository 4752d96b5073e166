/**
 * The model gateway over HTTP, each endpoint in its vendor's wire format, against the scripted
 * model: tool calls across turns, streams and plain responses, keys, budgets, errors, records.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { postJson, startTestGateway, type TestGateway } from '../src/gateway/testing/gateway-fixture.ts';
import { parseSse, readJson } from '../src/gateway/testing/wire.ts';

const FIX_TURNS = [
  { text: 'Looking at the failing test.', calls: [{ tool: 'read_file', args: { path: 'src/sum.js' } }] },
  { text: 'Fixed: sum used subtraction.' },
];
const READ_FILE_SCHEMA = { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] };

describe('gateway: OpenAI Responses (what Codex speaks)', () => {
  let t: TestGateway;
  before(async () => {
    t = await startTestGateway({ scripts: { 'fix.json': FIX_TURNS }, default: 'script:fix.json' });
  });
  after(() => t.close());

  it('streams a tool call, takes its output next turn, and records both calls', async () => {
    const tools = [
      { type: 'function', name: 'read_file', description: 'Read', parameters: READ_FILE_SCHEMA },
    ];
    const first = await postJson(
      `${t.gateway.openaiBaseUrl}/responses`,
      {
        model: 'gpt-5-codex',
        stream: true,
        instructions: 'You are Codex.',
        input: [{ role: 'user', content: 'Fix the test.' }],
        tools,
      },
      t.key,
    );
    assert.equal(first.status, 200);
    assert.match(first.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = parseSse(await first.text());
    const call = events.find(
      (e) => e.event === 'response.output_item.done' && e.data.item.type === 'function_call',
    )?.data.item;
    assert.deepEqual([call.name, call.arguments], ['read_file', '{"path":"src/sum.js"}']);
    const completed = events.at(-1);
    assert.equal(completed?.event, 'response.completed');

    const second = await postJson(
      `${t.gateway.openaiBaseUrl}/responses`,
      {
        model: 'gpt-5-codex',
        input: [
          { role: 'user', content: 'Fix the test.' },
          ...(completed?.data.response.output ?? []),
          { type: 'function_call_output', call_id: call.call_id, output: 'return a - b;' },
        ],
        tools,
      },
      t.key,
    );
    assert.equal(second.status, 200);
    const body = await readJson(second);
    assert.equal(body.output[0].content[0].text, 'Fixed: sum used subtraction.');

    assert.equal(t.records.length, 2);
    const [one, two] = t.records;
    assert.equal(one?.owner, 'tester');
    assert.equal(one?.api, 'openai.responses');
    assert.equal(one?.requestedModel, 'gpt-5-codex');
    assert.equal(one?.model, 'script:fix.json');
    assert.equal(one?.stream, true);
    assert.equal(one?.status, 200);
    assert.equal(one?.usage.inputTokens, completed?.data.response.usage.input_tokens);
    assert.ok(
      (two?.usage.inputTokens ?? 0) > (one?.usage.inputTokens ?? 0),
      'the second prompt carries the tool output',
    );
    assert.equal(two?.stream, false);
    assert.equal(two?.id, body.id);
  });

  it('refuses an unknown key with 401 invalid_api_key, and does not record it', async () => {
    const before = t.records.length;
    const response = await postJson(`${t.gateway.openaiBaseUrl}/responses`, { input: 'hi' }, 'wk-forged');
    assert.equal(response.status, 401);
    assert.equal((await readJson(response)).error.code, 'invalid_api_key');
    assert.equal(t.records.length, before, 'keyless refusals are counted, not chain-recorded');
  });

  it('answers a keyless request 401 before reading its body (no decompression bomb, no record)', async () => {
    const before = t.records.length;
    const url = new URL(`${t.gateway.openaiBaseUrl}/responses`);
    // Headers promise 30 MiB of gzip; only a slice is ever sent. A server reading the body first
    // would wait for the rest: the 401 arriving proves it did not.
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-encoding': 'gzip',
            'content-length': String(30 * 1024 * 1024),
          },
        },
        (response) => {
          response.resume();
          request.destroy();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
      request.write(gzipSync(Buffer.alloc(1024 * 1024)));
    });
    assert.equal(status, 401);
    assert.equal(t.records.length, before);
  });

  it('takes a gzip-compressed body', async () => {
    const response = await fetch(`${t.gateway.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        authorization: `Bearer ${t.key}`,
      },
      body: gzipSync(JSON.stringify({ input: 'hi' })),
    });
    assert.equal(response.status, 200);
  });

  it('answers bad JSON with a 400 in OpenAI format', async () => {
    const response = await fetch(`${t.gateway.openaiBaseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` },
      body: '{"input": ',
    });
    assert.equal(response.status, 400);
    assert.match((await readJson(response)).error.message, /not valid JSON/);
  });
});

describe('gateway: OpenAI Chat Completions and models', () => {
  let t: TestGateway;
  before(async () => {
    t = await startTestGateway({
      scripts: { 'fix.json': FIX_TURNS },
      aliases: { 'gpt-4o': 'script:fix.json' },
    });
  });
  after(() => t.close());

  it('lists the models a client may ask for', async () => {
    const response = await fetch(`${t.gateway.openaiBaseUrl}/models`, {
      headers: { authorization: `Bearer ${t.key}` },
    });
    const body = await readJson(response);
    assert.deepEqual(
      body.data.map((model: { id: string }) => model.id),
      ['gpt-4o', 'script:fix.json'],
    );
    assert.equal(body.object, 'list');
  });

  it('answers tool_calls, then streams the next turn with usage and [DONE]', async () => {
    const tools = [{ type: 'function', function: { name: 'read_file', parameters: READ_FILE_SCHEMA } }];
    const messages: unknown[] = [{ role: 'user', content: 'Fix the test.' }];
    const first = await readJson(
      await postJson(
        `${t.gateway.openaiBaseUrl}/chat/completions`,
        { model: 'gpt-4o', messages, tools },
        t.key,
      ),
    );
    const message = first.choices[0].message;
    assert.equal(first.choices[0].finish_reason, 'tool_calls');
    assert.equal(message.tool_calls[0].function.name, 'read_file');

    messages.push(message, {
      role: 'tool',
      tool_call_id: message.tool_calls[0].id,
      content: 'return a - b;',
    });
    const second = await postJson(
      `${t.gateway.openaiBaseUrl}/chat/completions`,
      { model: 'gpt-4o', messages, tools, stream: true, stream_options: { include_usage: true } },
      t.key,
    );
    const events = parseSse(await second.text());
    const text = events.map((e) => e.data.choices?.[0]?.delta?.content ?? '').join('');
    assert.equal(text, 'Fixed: sum used subtraction.');
    assert.equal(events.at(-1)?.data, '[DONE]');
    assert.equal(events.at(-2)?.data.usage.completion_tokens, t.records.at(-1)?.usage.outputTokens);
  });

  it('a model nobody configured is a 404 model_not_found', async () => {
    const response = await postJson(
      `${t.gateway.openaiBaseUrl}/chat/completions`,
      { model: 'script:/etc/passwd', messages: [{ role: 'user', content: 'x' }] },
      t.key,
    );
    assert.equal(response.status, 404);
    const body = await readJson(response);
    assert.equal(body.error.code, 'model_not_found');
    assert.match(body.error.message, /ask for one of: gpt-4o/);
  });
});

describe('gateway: Anthropic Messages (what Claude Code speaks)', () => {
  let t: TestGateway;
  before(async () => {
    t = await startTestGateway({
      scripts: { 'fix.json': FIX_TURNS },
      aliases: { 'claude-*': 'script:fix.json' },
      budget: { tokens: 10_000 },
    });
  });
  after(() => t.close());

  it('streams a tool_use, takes the tool_result next turn, with x-api-key auth', async () => {
    const headers = { 'x-api-key': t.key, 'anthropic-version': '2023-06-01' };
    const tools = [{ name: 'read_file', description: 'Read', input_schema: READ_FILE_SCHEMA }];
    const messages: unknown[] = [{ role: 'user', content: 'Fix the test.' }];
    const first = await postJson(
      `${t.gateway.url}/v1/messages?beta=true`,
      {
        model: 'claude-sonnet-4-5-20250929',
        max_tokens: 1024,
        system: 'You are Claude Code.',
        messages,
        tools,
        stream: true,
      },
      undefined,
      headers,
    );
    assert.equal(first.status, 200);
    const events = parseSse(await first.text());
    assert.equal(events[0]?.event, 'message_start');
    assert.equal(events.at(-1)?.event, 'message_stop');
    const toolUse = events.find(
      (e) => e.event === 'content_block_start' && e.data.content_block.type === 'tool_use',
    )?.data.content_block;
    const json = events
      .filter((e) => e.data.delta?.type === 'input_json_delta')
      .map((e) => e.data.delta.partial_json)
      .join('');
    assert.deepEqual(JSON.parse(json), { path: 'src/sum.js' });
    assert.equal(events.find((e) => e.event === 'message_delta')?.data.delta.stop_reason, 'tool_use');

    messages.push(
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Looking at the failing test.' },
          { ...toolUse, input: JSON.parse(json) },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'return a - b;' }] },
    );
    const second = await postJson(
      `${t.gateway.url}/v1/messages`,
      { model: 'claude-sonnet-4-5-20250929', max_tokens: 1024, messages, tools },
      undefined,
      headers,
    );
    const body = await readJson(second);
    assert.deepEqual(body.content, [{ type: 'text', text: 'Fixed: sum used subtraction.' }]);
    assert.equal(body.stop_reason, 'end_turn');
    assert.equal(t.records.at(-1)?.api, 'anthropic.messages');
  });

  it('estimates tokens for count_tokens', async () => {
    const response = await postJson(
      `${t.gateway.url}/v1/messages/count_tokens`,
      { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x'.repeat(400) }] },
      undefined,
      { 'x-api-key': t.key },
    );
    assert.equal(response.status, 200);
    const { input_tokens } = await readJson(response);
    assert.ok(input_tokens >= 100 && input_tokens < 130, String(input_tokens));
  });

  it('an unknown key is a 401 authentication_error', async () => {
    const response = await postJson(
      `${t.gateway.url}/v1/messages`,
      { max_tokens: 5, messages: [] },
      undefined,
      { 'x-api-key': 'sk-ant-real-looking' },
    );
    assert.equal(response.status, 401);
    assert.deepEqual((await readJson(response)).error.type, 'authentication_error');
  });

  it('a spent budget is a 429 rate_limit_error the SDKs will not retry, and is recorded', async () => {
    const holder = t.keys.verify(t.key);
    assert.ok(holder);
    t.keys.charge(
      holder,
      { inputTokens: 10_000, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
      undefined,
    );
    const response = await postJson(
      `${t.gateway.url}/v1/messages`,
      { max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] },
      undefined,
      { 'x-api-key': t.key },
    );
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('x-should-retry'), 'false');
    const body = await readJson(response);
    assert.equal(body.error.type, 'rate_limit_error');
    assert.match(body.error.message, /token budget of tester's key is spent/);
    assert.deepEqual(
      [t.records.at(-1)?.status, t.records.at(-1)?.owner, t.records.at(-1)?.error?.code],
      [429, 'tester', 'gateway.budget'],
    );
  });
});
