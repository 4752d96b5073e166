import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WardenError } from '../../errors.ts';
import { resolveModel } from '../resolve.ts';
import {
  jsonReply,
  type LoopbackServer,
  type Reply,
  requestJson,
  sseReply,
  startLoopbackServer,
} from '../testing/sse-server.ts';
import {
  deltaLog,
  FAST_RETRY,
  READ_FILE_SCHEMA,
  sampleRequest,
  userConfig,
} from '../testing/turn-fixtures.ts';

/** Chat completions SSE as llama.cpp, vLLM, LM Studio and Ollama send it: data lines, usage, [DONE]. */
function chatStream(): Reply {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    data: {
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1_750_000_000,
      model: 'qwen2.5-coder',
      choices: [{ index: 0, delta, finish_reason: finish }],
    },
  });
  return sseReply([
    chunk({ role: 'assistant', content: '' }),
    chunk({ content: 'Looking at ' }),
    chunk({ content: 'the test.' }),
    chunk({
      tool_calls: [
        { index: 0, id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '' } },
      ],
    }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"path":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"src/sum.js"}' } }] }),
    chunk({}, 'tool_calls'),
    {
      data: {
        id: 'chatcmpl-1',
        object: 'chat.completion.chunk',
        created: 1_750_000_000,
        model: 'qwen2.5-coder',
        choices: [],
        usage: { prompt_tokens: 321, completion_tokens: 45, total_tokens: 366 },
      },
    },
    { data: '[DONE]' },
  ]);
}

const UNAUTHORIZED = jsonReply(401, { error: { message: 'invalid api key', type: 'invalid_request_error' } });
const RATE_LIMITED = jsonReply(
  429,
  { error: { message: 'server busy', type: 'rate_limit' } },
  { 'retry-after': '0' },
);

describe('OpenAI-compatible servers (compat:<entry>, ollama) over the wire', () => {
  let server: LoopbackServer;
  before(async () => {
    server = await startLoopbackServer([]);
  });
  after(() => server.close());

  function compatClient() {
    const config = userConfig({
      providers: {
        compat: {
          lmstudio: {
            base_url: `${server.url}/v1`,
            api_key_env: 'LMSTUDIO_KEY',
            headers: { 'x-team': 'core' },
          },
        },
      },
      retry: FAST_RETRY,
    });
    return resolveModel('compat:lmstudio/qwen2.5-coder', {
      config,
      env: { LMSTUDIO_KEY: 'lm-key' },
      cwd: '/',
    });
  }

  function ollamaClient() {
    // The server root, as users write it; `/v1` is Warden's to add.
    const config = userConfig({ providers: { ollama: { base_url: server.url } }, retry: FAST_RETRY });
    return resolveModel('ollama:qwen2.5-coder:7b', { config, env: {}, cwd: '/' });
  }

  it('compat: streams text and a tool call with usage; sends key, headers and the tool schema', async () => {
    server.serve([chatStream()]);
    const log = deltaLog();
    const client = compatClient();
    const turn = await client.turn(sampleRequest(), log.onDelta);

    assert.equal(turn.text, 'Looking at the test.');
    assert.equal(log.text(), 'Looking at the test.');
    assert.deepEqual(turn.toolCalls, [{ id: 'call_1', name: 'read_file', input: '{"path":"src/sum.js"}' }]);
    assert.equal(turn.finishReason, 'tool-calls');
    assert.deepEqual(turn.usage, {
      inputTokens: 321,
      outputTokens: 45,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    assert.equal(turn.cost, undefined, 'a compat model has no price unless config gives one');
    assert.equal(client.info.provider, 'compat:lmstudio');
    assert.equal(client.info.model, 'qwen2.5-coder');

    const [request] = server.requests;
    assert.equal(request?.path, '/v1/chat/completions');
    assert.equal(request?.headers.authorization, 'Bearer lm-key');
    assert.equal(request?.headers['x-team'], 'core');
    const body = requestJson(request);
    assert.equal(body.model, 'qwen2.5-coder');
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.deepEqual(body.tools, [
      {
        type: 'function',
        function: { name: 'read_file', description: 'Read a file', parameters: READ_FILE_SCHEMA },
      },
    ]);
    const messages = body.messages as Array<Record<string, unknown>>;
    assert.deepEqual(messages[0], { role: 'system', content: 'You are Warden.' });
  });

  it('ollama: talks to <base_url>/v1 with no key at all, and costs nothing', async () => {
    server.serve([chatStream()]);
    const turn = await ollamaClient().turn(sampleRequest());
    assert.equal(turn.text, 'Looking at the test.');
    assert.equal(turn.toolCalls.length, 1);
    assert.equal(turn.usage.inputTokens, 321);
    assert.equal(turn.cost, 0);
    const [request] = server.requests;
    assert.equal(request?.path, '/v1/chat/completions');
    assert.equal(request?.headers.authorization, undefined);
    assert.equal(requestJson(request).model, 'qwen2.5-coder:7b');
  });

  it('compat: retries a 429 with retry-after: 0', async () => {
    server.serve([RATE_LIMITED, chatStream()]);
    const turn = await compatClient().turn(sampleRequest());
    assert.equal(turn.attempts, 2);
    assert.equal(turn.text, 'Looking at the test.');
    assert.equal(server.requests.length, 2);
  });

  it('ollama: retries a 429 with retry-after: 0', async () => {
    server.serve([RATE_LIMITED, chatStream()]);
    const turn = await ollamaClient().turn(sampleRequest());
    assert.equal(turn.attempts, 2);
    assert.equal(server.requests.length, 2);
  });

  it('compat: a 401 is model.auth naming the configured key variable, not retried', async () => {
    server.serve([UNAUTHORIZED]);
    await assert.rejects(compatClient().turn(sampleRequest()), (error: unknown) => {
      assert.ok(error instanceof WardenError);
      assert.equal(error.code, 'model.auth');
      assert.doesNotMatch(error.describe(), /\n/);
      assert.match(error.describe(), /LMSTUDIO_KEY/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('ollama: a 401 (a proxy in front of it) is model.auth with a fix', async () => {
    server.serve([UNAUTHORIZED]);
    await assert.rejects(ollamaClient().turn(sampleRequest()), (error: unknown) => {
      assert.ok(error instanceof WardenError);
      assert.equal(error.code, 'model.auth');
      assert.match(error.describe(), /providers\.ollama\.api_key_env/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('compat: a missing key variable fails at resolve time, before any request', () => {
    const config = userConfig({
      providers: { compat: { lmstudio: { base_url: server.url, api_key_env: 'LMSTUDIO_KEY' } } },
    });
    assert.throws(
      () => resolveModel('compat:lmstudio/qwen', { config, env: {}, cwd: '/' }),
      (error: unknown) =>
        error instanceof WardenError &&
        error.code === 'model.credentials' &&
        /LMSTUDIO_KEY/.test(error.message),
    );
  });
});
