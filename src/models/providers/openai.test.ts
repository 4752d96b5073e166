import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WardenError } from '../../errors.ts';
import { resolveModel } from '../resolve.ts';
import { responsesStream } from '../testing/openai-responses-stream.ts';
import { jsonReply, type LoopbackServer, requestJson, startLoopbackServer } from '../testing/sse-server.ts';
import {
  deltaLog,
  FAST_RETRY,
  READ_FILE_SCHEMA,
  sampleRequest,
  userConfig,
} from '../testing/turn-fixtures.ts';

const ENV = { OPENAI_API_KEY: 'sk-test-openai' };

const UNAUTHORIZED = jsonReply(401, {
  error: {
    message: 'Incorrect API key provided: sk-tes*****enai.',
    type: 'invalid_request_error',
    param: null,
    code: 'invalid_api_key',
  },
});
const RATE_LIMITED = jsonReply(
  429,
  { error: { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' } },
  { 'retry-after': '0' },
);

describe('openai: Responses API over the wire', () => {
  let server: LoopbackServer;
  before(async () => {
    server = await startLoopbackServer([]);
  });
  after(() => server.close());

  function client(options: { env?: NodeJS.ProcessEnv; data?: Record<string, unknown> } = {}) {
    const config = userConfig({
      providers: { openai: { base_url: `${server.url}/v1` } },
      retry: FAST_RETRY,
      ...options.data,
    });
    return resolveModel('openai:gpt-5', { config, env: options.env ?? ENV, cwd: '/' });
  }

  it('streams text and a tool call, with usage and cost, from one request', async () => {
    server.serve([responsesStream()]);
    const log = deltaLog();
    const turn = await client().turn(sampleRequest(), log.onDelta);

    assert.equal(turn.text, 'Looking at the test.');
    assert.equal(log.text(), 'Looking at the test.');
    assert.deepEqual(turn.toolCalls, [{ id: 'call_abc', name: 'read_file', input: '{"path":"src/sum.js"}' }]);
    assert.equal(turn.finishReason, 'tool-calls');
    assert.deepEqual(turn.usage, {
      inputTokens: 1200,
      outputTokens: 80,
      cacheReadTokens: 200,
      cacheWriteTokens: 0,
    });
    // gpt-5: 1000 uncached × 1.25 + 200 cached × 0.125 + 80 × 10, per million.
    assert.ok(
      turn.cost !== undefined && Math.abs(turn.cost - (1000 * 1.25 + 200 * 0.125 + 80 * 10) / 1e6) < 1e-12,
    );
    assert.equal(turn.attempts, 1);
    assert.equal(turn.modelId, 'openai:gpt-5');

    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, '/v1/responses');
    assert.equal(request?.headers.authorization, 'Bearer sk-test-openai');
    const body = requestJson(request);
    assert.equal(body.model, 'gpt-5');
    assert.equal(body.stream, true);
    assert.equal(body.store, false);
    const tools = body.tools as Array<Record<string, unknown>>;
    assert.equal(tools.length, 1);
    assert.equal(tools[0]?.type, 'function');
    assert.equal(tools[0]?.name, 'read_file');
    assert.equal(tools[0]?.description, 'Read a file');
    assert.deepEqual(tools[0]?.parameters, READ_FILE_SCHEMA);
    const input = body.input as Array<Record<string, unknown>>;
    // Reasoning models take the system prompt as a `developer` message.
    assert.ok(input[0]?.role === 'system' || input[0]?.role === 'developer');
    assert.equal(input[0]?.content, 'You are Warden.');
  });

  it('sends earlier tool calls and their results back; unparsable stored arguments go as {}', async () => {
    server.serve([responsesStream()]);
    await client().turn(
      sampleRequest({
        messages: [
          { role: 'user', text: 'Fix it.' },
          {
            role: 'assistant',
            text: '',
            toolCalls: [
              { id: 'call_1', name: 'read_file', input: '{"path":"a.js"}' },
              { id: 'call_2', name: 'read_file', input: '{"path": broken' },
            ],
          },
          {
            role: 'tool',
            results: [
              { callId: 'call_1', toolName: 'read_file', output: 'const a = 1;', isError: false },
              {
                callId: 'call_2',
                toolName: 'read_file',
                output: 'arguments are not valid JSON',
                isError: true,
              },
            ],
          },
        ],
      }),
    );
    const input = requestJson(server.requests[0]).input as Array<Record<string, unknown>>;
    const calls = input.filter((item) => item.type === 'function_call');
    assert.deepEqual(
      calls.map((call) => [call.call_id, call.name, JSON.parse(String(call.arguments))]),
      [
        ['call_1', 'read_file', { path: 'a.js' }],
        ['call_2', 'read_file', {}],
      ],
    );
    const outputs = input.filter((item) => item.type === 'function_call_output');
    assert.deepEqual(
      outputs.map((output) => output.call_id),
      ['call_1', 'call_2'],
    );
    assert.equal(outputs[0]?.output, 'const a = 1;');
    // An error result reaches the model marked as one (the SDK wraps error text as {"error": …}).
    assert.deepEqual(JSON.parse(String(outputs[1]?.output)), { error: 'arguments are not valid JSON' });
  });

  it('retries a 429 after the server-given wait and reports the retry', async () => {
    server.serve([RATE_LIMITED, responsesStream()]);
    const log = deltaLog();
    const turn = await client().turn(sampleRequest(), log.onDelta);
    assert.equal(turn.text, 'Looking at the test.');
    assert.equal(turn.attempts, 2);
    assert.equal(server.requests.length, 2);
    const retries = log.deltas.filter((delta) => delta.type === 'retry');
    assert.equal(retries.length, 1);
    assert.deepEqual(
      { ...retries[0], reason: undefined },
      { type: 'retry', attempt: 2, delayMs: 0, reason: undefined },
    );
    assert.match(String(retries[0]?.type === 'retry' && retries[0].reason), /429/);
  });

  it('turns a 401 into one line that names the key variable, without retrying or echoing the key', async () => {
    server.serve([UNAUTHORIZED, responsesStream()]);
    await assert.rejects(client().turn(sampleRequest()), (error: unknown) => {
      assert.ok(error instanceof WardenError);
      assert.equal(error.code, 'model.auth');
      const line = error.describe();
      assert.doesNotMatch(line, /\n/);
      assert.match(line, /OPENAI_API_KEY/);
      assert.match(line, /export OPENAI_API_KEY=/);
      assert.doesNotMatch(line, /sk-tes/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('reads the key from api_key_env when the user config names one', async () => {
    server.serve([responsesStream()]);
    await client({
      env: { TEAM_OPENAI_KEY: 'sk-team' },
      data: { providers: { openai: { base_url: `${server.url}/v1`, api_key_env: 'TEAM_OPENAI_KEY' } } },
    }).turn(sampleRequest());
    assert.equal(server.requests[0]?.headers.authorization, 'Bearer sk-team');
  });
});
