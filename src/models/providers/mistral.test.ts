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

const ENV = { MISTRAL_API_KEY: 'mk-test-key' };

/** Mistral sends a tool call's arguments whole, in the model's own spacing. */
const ARGS = '{"path": "src/sum.js"}';

type Delta = Record<string, unknown>;

function chunk(delta: Delta, finish: string | null = null, usage?: Record<string, number>) {
  return {
    data: {
      id: 'cmpl-e5cc70bb28c444948073e77776eb30ef',
      object: 'chat.completion.chunk',
      created: 1_750_000_000,
      model: 'mistral-large-latest',
      choices: [{ index: 0, delta, finish_reason: finish }],
      ...(usage === undefined ? {} : { usage }),
    },
  };
}

/**
 * Mistral's chat completions stream: text in `delta.content`, every tool call whole in one
 * chunk, usage on the last chunk (no separate usage-only chunk, unlike OpenAI), then [DONE].
 */
function chatStream(
  calls: Delta[] = [{ id: 'D681PevKs', function: { name: 'read_file', arguments: ARGS }, index: 0 }],
): Reply {
  const usage = { prompt_tokens: 1042, total_tokens: 1079, completion_tokens: 37 };
  return sseReply([
    chunk({ role: 'assistant', content: '' }),
    chunk({ content: 'Looking at ' }),
    chunk({ content: 'the test.' }),
    calls.length === 0
      ? chunk({ content: '' }, 'stop', usage)
      : chunk({ content: '', tool_calls: calls }, 'tool_calls', usage),
    { data: '[DONE]' },
  ]);
}

// Mistral's gateway answers a bad key in its own shape, not the API's error object.
const UNAUTHORIZED = jsonReply(401, {
  message: 'Unauthorized',
  request_id: 'c61f2f15feca71626a990e3740f99245',
});
const RATE_LIMITED = jsonReply(
  429,
  {
    object: 'error',
    message: 'Requests rate limit exceeded',
    type: 'rate_limited',
    param: null,
    code: '1300',
  },
  { 'retry-after': '0' },
);

describe('mistral: chat completions over the wire', () => {
  let server: LoopbackServer;
  before(async () => {
    server = await startLoopbackServer([]);
  });
  after(() => server.close());

  function client() {
    const config = userConfig({
      providers: { mistral: { base_url: `${server.url}/v1` } },
      retry: FAST_RETRY,
    });
    return resolveModel('mistral:mistral-large-latest', { config, env: ENV, cwd: '/' });
  }

  it('streams text and a whole tool call, with usage and cost; sends the key and the tool schema', async () => {
    server.serve([chatStream()]);
    const log = deltaLog();
    const turn = await client().turn(sampleRequest(), log.onDelta);

    assert.equal(turn.text, 'Looking at the test.');
    assert.deepEqual(
      log.deltas.filter((delta) => delta.type === 'text').map((delta) => delta.type === 'text' && delta.text),
      ['Looking at ', 'the test.'],
    );
    // The arguments reach the tools layer as the model wrote them, not re-serialised.
    assert.deepEqual(turn.toolCalls, [{ id: 'D681PevKs', name: 'read_file', input: ARGS }]);
    assert.equal(turn.finishReason, 'tool-calls');
    assert.deepEqual(turn.usage, {
      inputTokens: 1042,
      outputTokens: 37,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    // mistral-large: 1042 × 2 + 37 × 6, per million.
    assert.ok(turn.cost !== undefined && Math.abs(turn.cost - (1042 * 2 + 37 * 6) / 1e6) < 1e-12);
    assert.equal(turn.modelId, 'mistral:mistral-large-latest');
    assert.equal(turn.attempts, 1);

    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, '/v1/chat/completions');
    assert.equal(request?.headers.authorization, 'Bearer mk-test-key');
    const body = requestJson(request);
    assert.equal(body.model, 'mistral-large-latest');
    assert.equal(body.stream, true);
    assert.deepEqual(body.tools, [
      {
        type: 'function',
        function: { name: 'read_file', description: 'Read a file', parameters: READ_FILE_SCHEMA },
      },
    ]);
    assert.equal(body.tool_choice, 'auto');
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'You are Warden.' },
      { role: 'user', content: [{ type: 'text', text: 'Fix the failing test.' }] },
    ]);
  });

  it('keeps parallel tool calls sent in one chunk apart, in order', async () => {
    server.serve([
      chatStream([
        { id: 'aB3dE5gH7', function: { name: 'read_file', arguments: '{"path": "src/sum.js"}' }, index: 0 },
        {
          id: 'kL9mN1pQ3',
          function: { name: 'read_file', arguments: '{"path": "test/sum.test.js"}' },
          index: 1,
        },
      ]),
    ]);
    const turn = await client().turn(sampleRequest());
    assert.deepEqual(turn.toolCalls, [
      { id: 'aB3dE5gH7', name: 'read_file', input: '{"path": "src/sum.js"}' },
      { id: 'kL9mN1pQ3', name: 'read_file', input: '{"path": "test/sum.test.js"}' },
    ]);
  });

  it('ends a text-only answer with stop, and sends no tools when there are none', async () => {
    server.serve([chatStream([])]);
    const turn = await client().turn(sampleRequest({ tools: [] }));
    assert.equal(turn.text, 'Looking at the test.');
    assert.deepEqual(turn.toolCalls, []);
    assert.equal(turn.finishReason, 'stop');
    assert.equal(turn.usage.outputTokens, 37);
    const body = requestJson(server.requests[0]);
    assert.equal(body.tools, undefined);
    assert.equal(body.tool_choice, undefined);
  });

  it('sends earlier tool calls as tool_calls and their results as tool messages', async () => {
    server.serve([chatStream([])]);
    await client().turn(
      sampleRequest({
        messages: [
          { role: 'user', text: 'Fix it.' },
          {
            role: 'assistant',
            text: 'Reading.',
            toolCalls: [{ id: 'aB3dE5gH7', name: 'read_file', input: ARGS }],
          },
          {
            role: 'tool',
            results: [{ callId: 'aB3dE5gH7', toolName: 'read_file', output: 'a - b', isError: false }],
          },
        ],
      }),
    );
    const messages = requestJson(server.requests[0]).messages as Array<Record<string, unknown>>;
    assert.deepEqual(messages.slice(2), [
      {
        role: 'assistant',
        content: 'Reading.',
        tool_calls: [
          {
            id: 'aB3dE5gH7',
            type: 'function',
            function: { name: 'read_file', arguments: '{"path":"src/sum.js"}' },
          },
        ],
      },
      { role: 'tool', name: 'read_file', tool_call_id: 'aB3dE5gH7', content: 'a - b' },
    ]);
  });

  it('retries a 429 with retry-after: 0 and then answers', async () => {
    server.serve([RATE_LIMITED, chatStream()]);
    const log = deltaLog();
    const turn = await client().turn(sampleRequest(), log.onDelta);
    assert.equal(turn.attempts, 2);
    assert.equal(turn.text, 'Looking at the test.');
    assert.equal(turn.toolCalls[0]?.input, ARGS);
    assert.equal(server.requests.length, 2);
    const retries = log.deltas.filter((delta) => delta.type === 'retry');
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.type === 'retry' && retries[0].delayMs, 0);
    assert.match(retries[0]?.type === 'retry' ? retries[0].reason : '', /429.*rate limit exceeded/i);
  });

  it('turns a 401 into model.auth naming MISTRAL_API_KEY, in one line, after a single request', async () => {
    server.serve([UNAUTHORIZED]);
    await assert.rejects(client().turn(sampleRequest()), (error: unknown) => {
      assert.ok(error instanceof WardenError);
      assert.equal(error.code, 'model.auth');
      assert.doesNotMatch(error.describe(), /\n/);
      assert.match(error.describe(), /^mistral:mistral-large-latest rejected the credentials \(401\)/);
      assert.match(error.describe(), /MISTRAL_API_KEY/);
      assert.doesNotMatch(error.describe(), /mk-test-key/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });
});
