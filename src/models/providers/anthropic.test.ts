import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WardenError } from '../../errors.ts';
import { resolveModel } from '../resolve.ts';
import { messagesStream } from '../testing/anthropic-messages-stream.ts';
import { jsonReply, type LoopbackServer, requestJson, startLoopbackServer } from '../testing/sse-server.ts';
import {
  deltaLog,
  FAST_RETRY,
  READ_FILE_SCHEMA,
  sampleRequest,
  userConfig,
} from '../testing/turn-fixtures.ts';

const ENV = { ANTHROPIC_API_KEY: 'sk-ant-test' };

const UNAUTHORIZED = jsonReply(401, {
  type: 'error',
  error: { type: 'authentication_error', message: 'invalid x-api-key' },
});
const RATE_LIMITED = jsonReply(
  429,
  {
    type: 'error',
    error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your rate limit' },
  },
  { 'retry-after': '0' },
);

describe('anthropic: Messages API over the wire', () => {
  let server: LoopbackServer;
  before(async () => {
    server = await startLoopbackServer([]);
  });
  after(() => server.close());

  function client() {
    const config = userConfig({
      providers: { anthropic: { base_url: `${server.url}/v1` } },
      retry: FAST_RETRY,
    });
    return resolveModel('anthropic:claude-sonnet-4-5', { config, env: ENV, cwd: '/' });
  }

  it('streams text and a tool call, with usage (cache included) and cost', async () => {
    server.serve([messagesStream()]);
    const log = deltaLog();
    const turn = await client().turn(sampleRequest(), log.onDelta);

    assert.equal(turn.text, 'Looking at the test.');
    assert.equal(log.text(), 'Looking at the test.');
    assert.equal(turn.toolCalls.length, 1);
    assert.equal(turn.toolCalls[0]?.id, 'toolu_01');
    assert.equal(turn.toolCalls[0]?.name, 'read_file');
    assert.deepEqual(JSON.parse(turn.toolCalls[0]?.input ?? ''), { path: 'src/sum.js' });
    assert.equal(turn.finishReason, 'tool-calls');
    assert.deepEqual(turn.usage, {
      inputTokens: 1500,
      outputTokens: 64,
      cacheReadTokens: 500,
      cacheWriteTokens: 100,
    });
    // claude-sonnet-4-5: 900 × 3 + 500 × 0.3 + 100 × 3.75 + 64 × 15, per million.
    assert.ok(
      turn.cost !== undefined &&
        Math.abs(turn.cost - (900 * 3 + 500 * 0.3 + 100 * 3.75 + 64 * 15) / 1e6) < 1e-12,
    );

    const [request] = server.requests;
    assert.equal(request?.path, '/v1/messages');
    assert.equal(request?.headers['x-api-key'], 'sk-ant-test');
    assert.equal(request?.headers.authorization, undefined);
    assert.ok(request?.headers['anthropic-version']);
    const body = requestJson(request);
    assert.equal(body.model, 'claude-sonnet-4-5');
    assert.equal(body.stream, true);
    assert.deepEqual(body.system, [{ type: 'text', text: 'You are Warden.' }]);
    const tools = body.tools as Array<Record<string, unknown>>;
    assert.deepEqual(
      tools.map((tool) => [tool.name, tool.description, tool.input_schema]),
      [['read_file', 'Read a file', READ_FILE_SCHEMA]],
    );
  });

  it('sends earlier tool calls as tool_use and results as tool_result, errors flagged', async () => {
    server.serve([messagesStream()]);
    await client().turn(
      sampleRequest({
        messages: [
          { role: 'user', text: 'Fix it.' },
          {
            role: 'assistant',
            text: 'Reading.',
            toolCalls: [{ id: 'toolu_a', name: 'read_file', input: 'not json' }],
          },
          {
            role: 'tool',
            results: [{ callId: 'toolu_a', toolName: 'read_file', output: 'bad args', isError: true }],
          },
        ],
      }),
    );
    const messages = requestJson(server.requests[0]).messages as Array<{ role: string; content: unknown }>;
    assert.deepEqual(messages[1], {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Reading.' },
        { type: 'tool_use', id: 'toolu_a', name: 'read_file', input: {} },
      ],
    });
    const results = messages[2]?.content as Array<Record<string, unknown>>;
    assert.equal(results[0]?.type, 'tool_result');
    assert.equal(results[0]?.tool_use_id, 'toolu_a');
    assert.equal(results[0]?.is_error, true);
    assert.equal(results[0]?.content, 'bad args');
  });

  it('retries a 429 with retry-after: 0 and then answers', async () => {
    server.serve([RATE_LIMITED, messagesStream()]);
    const log = deltaLog();
    const turn = await client().turn(sampleRequest(), log.onDelta);
    assert.equal(turn.attempts, 2);
    assert.equal(turn.text, 'Looking at the test.');
    assert.equal(server.requests.length, 2);
    assert.deepEqual(
      log.deltas
        .filter((delta) => delta.type === 'retry')
        .map((delta) => delta.type === 'retry' && delta.delayMs),
      [0],
    );
  });

  it('turns a 401 into model.auth naming ANTHROPIC_API_KEY, after a single request', async () => {
    server.serve([UNAUTHORIZED]);
    await assert.rejects(client().turn(sampleRequest()), (error: unknown) => {
      assert.ok(error instanceof WardenError);
      assert.equal(error.code, 'model.auth');
      assert.doesNotMatch(error.describe(), /\n/);
      assert.match(error.describe(), /ANTHROPIC_API_KEY/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });
});
