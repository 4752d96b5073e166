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

const ENV = { GOOGLE_GENERATIVE_AI_API_KEY: 'gk-test-key' };

type Part = Record<string, unknown>;

/** Gemini repeats usage on every chunk, counts so far; the last chunk's are the turn's. */
function chunk(parts: Part[], usage: Record<string, number>, finishReason?: string) {
  return {
    data: {
      candidates: [
        {
          content: { parts, role: 'model' },
          index: 0,
          ...(finishReason === undefined ? {} : { finishReason }),
        },
      ],
      usageMetadata: usage,
      modelVersion: 'gemini-2.5-flash',
      responseId: 'mJtVaPqbNsyG7dcPp4a-qAU',
    },
  };
}

const FINAL_USAGE = {
  promptTokenCount: 812,
  candidatesTokenCount: 24,
  thoughtsTokenCount: 44,
  cachedContentTokenCount: 512,
  totalTokenCount: 880,
};

/**
 * Gemini's `streamGenerateContent?alt=sse`: `data:` lines only, no [DONE]. Function calls come
 * whole, with `args` as an object and no id, on a chunk that says STOP (never "tool calls").
 */
function geminiStream(calls: Part[] = [{ name: 'read_file', args: { path: 'src/sum.js' } }]): Reply {
  const early = { promptTokenCount: 812, candidatesTokenCount: 3, totalTokenCount: 815 };
  return sseReply([
    chunk([{ text: 'Looking at ' }], early),
    chunk([{ text: 'the test.' }], { ...early, candidatesTokenCount: 6, totalTokenCount: 818 }),
    chunk(
      calls.map((functionCall) => ({ functionCall, thoughtSignature: 'CiQBVKhc7g==' })),
      FINAL_USAGE,
      'STOP',
    ),
  ]);
}

const UNAUTHORIZED = jsonReply(401, {
  error: {
    code: 401,
    message: 'Request had invalid authentication credentials.',
    status: 'UNAUTHENTICATED',
  },
});
/** What the Gemini API really answers for a wrong or expired key: 400, not 401. */
const KEY_INVALID = jsonReply(400, {
  error: {
    code: 400,
    message: 'API key not valid. Please pass a valid API key.',
    status: 'INVALID_ARGUMENT',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
      {
        '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
        locale: 'en-US',
        message: 'API key not valid. Please pass a valid API key.',
      },
    ],
  },
});
const RATE_LIMITED = jsonReply(
  429,
  {
    error: {
      code: 429,
      message: 'You exceeded your current quota, please check your plan and billing details.',
      status: 'RESOURCE_EXHAUSTED',
    },
  },
  { 'retry-after': '0' },
);

describe('google: Gemini streamGenerateContent over the wire', () => {
  let server: LoopbackServer;
  before(async () => {
    server = await startLoopbackServer([]);
  });
  after(() => server.close());

  function client() {
    const config = userConfig({
      providers: { google: { base_url: `${server.url}/v1beta` } },
      retry: FAST_RETRY,
    });
    return resolveModel('google:gemini-2.5-flash', { config, env: ENV, cwd: '/' });
  }

  it('streams text and a function call, with usage (thoughts and cache included) and cost', async () => {
    server.serve([geminiStream()]);
    const log = deltaLog();
    const turn = await client().turn(sampleRequest(), log.onDelta);

    assert.equal(turn.text, 'Looking at the test.');
    assert.deepEqual(
      log.deltas.filter((delta) => delta.type === 'text').map((delta) => delta.type === 'text' && delta.text),
      ['Looking at ', 'the test.'],
    );
    assert.equal(turn.toolCalls.length, 1);
    assert.equal(turn.toolCalls[0]?.name, 'read_file');
    assert.equal(turn.toolCalls[0]?.input, '{"path":"src/sum.js"}');
    // Gemini sends no call id; one is made up, and it must not be empty.
    assert.ok((turn.toolCalls[0]?.id ?? '') !== '');
    assert.equal(turn.finishReason, 'tool-calls', 'STOP with a function call means the model wants the tool');
    // Thinking is billed as output; the cached part of the prompt is counted apart.
    assert.deepEqual(turn.usage, {
      inputTokens: 812,
      outputTokens: 24 + 44,
      cacheReadTokens: 512,
      cacheWriteTokens: 0,
    });
    // gemini-2.5-flash, no cache price: (300 uncached + 512 cached) × 0.3 + 68 × 2.5, per million.
    assert.ok(turn.cost !== undefined && Math.abs(turn.cost - (812 * 0.3 + 68 * 2.5) / 1e6) < 1e-12);
    assert.equal(turn.attempts, 1);

    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    // The key goes in a header, never in the URL, where proxies and logs would keep it.
    assert.equal(request?.headers['x-goog-api-key'], 'gk-test-key');
    assert.equal(request?.headers.authorization, undefined);
    assert.doesNotMatch(request?.path ?? '', /key=/);
    const body = requestJson(request);
    assert.deepEqual(body.systemInstruction, { parts: [{ text: 'You are Warden.' }] });
    assert.deepEqual(body.contents, [{ role: 'user', parts: [{ text: 'Fix the failing test.' }] }]);
    assert.deepEqual(body.tools, [
      {
        functionDeclarations: [
          { name: 'read_file', description: 'Read a file', parametersJsonSchema: READ_FILE_SCHEMA },
        ],
      },
    ]);
    assert.deepEqual(body.toolConfig, { functionCallingConfig: { mode: 'AUTO' } });
  });

  it('gives each of several function calls in one chunk its own id', async () => {
    server.serve([
      geminiStream([
        { name: 'read_file', args: { path: 'src/sum.js' } },
        { name: 'read_file', args: { path: 'test/sum.test.js' } },
      ]),
    ]);
    const turn = await client().turn(sampleRequest());
    assert.deepEqual(
      turn.toolCalls.map((call) => call.input),
      ['{"path":"src/sum.js"}', '{"path":"test/sum.test.js"}'],
    );
    const [first, second] = turn.toolCalls;
    assert.ok(first !== undefined && second !== undefined && first.id !== second.id);
  });

  it('ends a text-only answer with stop', async () => {
    server.serve([geminiStream([])]);
    const turn = await client().turn(sampleRequest({ tools: [] }));
    assert.equal(turn.text, 'Looking at the test.');
    assert.deepEqual(turn.toolCalls, []);
    assert.equal(turn.finishReason, 'stop');
    const body = requestJson(server.requests[0]);
    assert.equal(body.tools, undefined);
  });

  it('sends earlier calls as functionCall parts and results as functionResponse, paired by id', async () => {
    server.serve([geminiStream([])]);
    await client().turn(
      sampleRequest({
        messages: [
          { role: 'user', text: 'Fix it.' },
          {
            role: 'assistant',
            text: 'Reading.',
            toolCalls: [
              { id: 'c1', name: 'read_file', input: '{"path":"src/sum.js"}' },
              { id: 'c2', name: 'read_file', input: 'not json' },
            ],
          },
          {
            role: 'tool',
            results: [
              { callId: 'c1', toolName: 'read_file', output: 'a - b', isError: false },
              { callId: 'c2', toolName: 'read_file', output: 'bad args', isError: true },
            ],
          },
        ],
      }),
    );
    const contents = requestJson(server.requests[0]).contents as Array<{ role: string; parts: Part[] }>;
    assert.deepEqual(contents[1], {
      role: 'model',
      parts: [
        { text: 'Reading.' },
        { functionCall: { id: 'c1', name: 'read_file', args: { path: 'src/sum.js' } } },
        { functionCall: { id: 'c2', name: 'read_file', args: {} } },
      ],
    });
    assert.deepEqual(contents[2], {
      role: 'user',
      parts: [
        {
          functionResponse: {
            id: 'c1',
            name: 'read_file',
            response: { name: 'read_file', content: 'a - b' },
          },
        },
        {
          functionResponse: {
            id: 'c2',
            name: 'read_file',
            response: { name: 'read_file', error: 'bad args' },
          },
        },
      ],
    });
  });

  it('retries a 429 (RESOURCE_EXHAUSTED) with retry-after: 0 and then answers', async () => {
    server.serve([RATE_LIMITED, geminiStream()]);
    const log = deltaLog();
    const turn = await client().turn(sampleRequest(), log.onDelta);
    assert.equal(turn.attempts, 2);
    assert.equal(turn.text, 'Looking at the test.');
    assert.equal(turn.toolCalls[0]?.input, '{"path":"src/sum.js"}');
    assert.equal(server.requests.length, 2);
    const retries = log.deltas.filter((delta) => delta.type === 'retry');
    assert.equal(retries.length, 1);
    assert.equal(retries[0]?.type === 'retry' && retries[0].delayMs, 0);
    assert.match(retries[0]?.type === 'retry' ? retries[0].reason : '', /429.*exceeded your current quota/);
  });

  it('turns a 401 into model.auth naming GOOGLE_GENERATIVE_AI_API_KEY, in one line, after a single request', async () => {
    server.serve([UNAUTHORIZED]);
    await assert.rejects(client().turn(sampleRequest()), (error: unknown) => {
      assert.ok(error instanceof WardenError);
      assert.equal(error.code, 'model.auth');
      assert.doesNotMatch(error.describe(), /\n/);
      assert.match(error.describe(), /^google:gemini-2\.5-flash rejected the credentials \(401\)/);
      assert.match(error.describe(), /GOOGLE_GENERATIVE_AI_API_KEY/);
      assert.doesNotMatch(error.describe(), /gk-test-key/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });

  it('treats a 400 API_KEY_INVALID, how Gemini rejects a bad key, as model.auth too', async () => {
    server.serve([KEY_INVALID]);
    await assert.rejects(client().turn(sampleRequest()), (error: unknown) => {
      assert.ok(error instanceof WardenError);
      assert.equal(error.code, 'model.auth', error.describe());
      assert.doesNotMatch(error.describe(), /\n/);
      assert.match(error.describe(), /GOOGLE_GENERATIVE_AI_API_KEY/);
      return true;
    });
    assert.equal(server.requests.length, 1);
  });
});
