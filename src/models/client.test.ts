import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4StreamPart,
} from '@ai-sdk/provider';
import { APICallError } from '@ai-sdk/provider';
import { WardenError } from '../errors.ts';
import { createModelClient, type ModelEndpoint } from './client.ts';
import type { RetryClock } from './retry.ts';
import { deltaLog, sampleRequest } from './testing/turn-fixtures.ts';

type Step = LanguageModelV4StreamPart[] | Error;

const USAGE = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};
const finish = (unified: 'stop' | 'tool-calls' | 'interrupted' = 'stop'): LanguageModelV4StreamPart => ({
  type: 'finish',
  finishReason: { unified, raw: undefined },
  usage: USAGE,
});
const text = (delta: string): LanguageModelV4StreamPart[] => [
  { type: 'text-start', id: 't' },
  { type: 'text-delta', id: 't', delta },
  { type: 'text-end', id: 't' },
];
const serverError = (status = 500) =>
  new APICallError({ message: `boom ${status}`, url: 'http://x', requestBodyValues: {}, statusCode: status });

/** A model that plays the given steps, one per doStream call, and records what it was asked. */
function stubModel(steps: Step[]): LanguageModelV4 & { calls: LanguageModelV4CallOptions[] } {
  const calls: LanguageModelV4CallOptions[] = [];
  return {
    calls,
    specificationVersion: 'v4',
    provider: 'stub',
    modelId: 'stub',
    supportedUrls: {},
    doGenerate: () => Promise.reject(new Error('not used')),
    async doStream(options) {
      calls.push(options);
      const step = steps[calls.length - 1] ?? [finish()];
      if (step instanceof Error) throw step;
      return {
        stream: new ReadableStream({
          start(controller) {
            for (const part of step) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  };
}

function endpoint(
  id: string,
  model: LanguageModelV4,
  price?: { input: number; output: number },
): ModelEndpoint {
  return {
    info: { id, provider: 'stub', model: id, contextWindow: 1000, price },
    model,
    authFix: `export ${id.toUpperCase()}_KEY=…`,
  };
}

const noWait: RetryClock = { sleep: async () => {}, random: () => 0, now: () => 0 };
const RETRY = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 };

describe('createModelClient', () => {
  it('sends the conversation in the provider-neutral format', async () => {
    const model = stubModel([[...text('ok'), finish()]]);
    const client = createModelClient({
      primary: { ...endpoint('a', model), providerOptions: { openai: { store: false } } },
      retry: RETRY,
      clock: noWait,
    });
    await client.turn(
      sampleRequest({
        maxOutputTokens: 99,
        messages: [
          { role: 'user', text: 'hi' },
          { role: 'assistant', text: '', toolCalls: [] },
          { role: 'assistant', text: '', toolCalls: [{ id: 'c1', name: 'read_file', input: '[1,2]' }] },
          {
            role: 'tool',
            results: [{ callId: 'c1', toolName: 'read_file', output: 'nope', isError: true }],
          },
        ],
      }),
    );
    const [call] = model.calls;
    assert.deepEqual(call?.prompt, [
      { role: 'system', content: 'You are Warden.' },
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'read_file', input: {} }],
      },
      {
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'c1',
            toolName: 'read_file',
            output: { type: 'error-text', value: 'nope' },
          },
        ],
      },
    ]);
    assert.equal(call?.tools?.[0]?.name, 'read_file');
    assert.deepEqual(call?.toolChoice, { type: 'auto' });
    assert.equal(call?.maxOutputTokens, 99);
    assert.deepEqual(call?.providerOptions, { openai: { store: false } });
  });

  it('counts unknown usage as 0 and computes cost from the price', async () => {
    const client = createModelClient({
      primary: endpoint('a', stubModel([[...text('ok'), finish()]]), { input: 2, output: 10 }),
      retry: RETRY,
      clock: noWait,
    });
    const turn = await client.turn(sampleRequest());
    assert.deepEqual(turn.usage, {
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    assert.equal(turn.cost, (10 * 2 + 5 * 10) / 1e6);
  });

  it('reports tool calls as tool-calls even when the server says stop', async () => {
    const model = stubModel([
      [{ type: 'tool-call', toolCallId: 'x', toolName: 'shell', input: '{}' }, finish('stop')],
    ]);
    const turn = await createModelClient({ primary: endpoint('a', model), retry: RETRY, clock: noWait }).turn(
      sampleRequest(),
    );
    assert.equal(turn.finishReason, 'tool-calls');
  });

  it('treats an error part in the stream as a failed turn, and retries it when nothing was shown', async () => {
    const model = stubModel([
      [
        { type: 'stream-start', warnings: [] },
        { type: 'error', error: { message: 'Overloaded', statusCode: 529, isRetryable: true } },
      ],
      [...text('second try'), finish()],
    ]);
    const turn = await createModelClient({ primary: endpoint('a', model), retry: RETRY, clock: noWait }).turn(
      sampleRequest(),
    );
    assert.equal(turn.text, 'second try');
    assert.equal(turn.attempts, 2);
  });

  it('retries a stream that ends without finishing', async () => {
    const model = stubModel([
      [{ type: 'tool-input-start', id: 'x', toolName: 'shell' }],
      [...text('ok'), finish()],
    ]);
    const turn = await createModelClient({ primary: endpoint('a', model), retry: RETRY, clock: noWait }).turn(
      sampleRequest(),
    );
    assert.equal(turn.attempts, 2);
  });

  it('does not retry or fall back once text has reached the caller', async () => {
    const primary = stubModel([[...text('half an ans'), { type: 'error', error: serverError(500) }]]);
    const fallback = stubModel([[...text('other'), finish()]]);
    const log = deltaLog();
    const client = createModelClient({
      primary: endpoint('a', primary),
      fallbacks: [endpoint('b', fallback)],
      retry: RETRY,
      clock: noWait,
    });
    await assert.rejects(client.turn(sampleRequest(), log.onDelta), (error: unknown) => {
      assert.ok(error instanceof WardenError);
      assert.equal(error.code, 'model.unavailable');
      return true;
    });
    assert.equal(primary.calls.length, 1);
    assert.equal(fallback.calls.length, 0);
    assert.equal(log.text(), 'half an ans');
  });

  it('falls back to the next model after the primary fails for good', async () => {
    const primary = stubModel([serverError(503), serverError(503)]);
    const fallback = stubModel([[...text('from b'), finish()]]);
    const log = deltaLog();
    const turn = await createModelClient({
      primary: endpoint('a', primary),
      fallbacks: [endpoint('b', fallback)],
      retry: RETRY,
      clock: noWait,
    }).turn(sampleRequest(), log.onDelta);
    assert.equal(turn.text, 'from b');
    assert.equal(turn.modelId, 'b');
    assert.equal(turn.attempts, 3);
    const reasons = log.deltas.flatMap((delta) => (delta.type === 'retry' ? [delta.reason] : []));
    assert.equal(reasons.length, 2);
    assert.match(reasons[1] ?? '', /falling back to b/);
  });

  it("reports the primary's error when every model fails, the fallbacks' in the hint", async () => {
    const client = createModelClient({
      primary: endpoint('a', stubModel([serverError(401)])),
      fallbacks: [endpoint('b', stubModel([serverError(404)]))],
      retry: RETRY,
      clock: noWait,
    });
    await assert.rejects(client.turn(sampleRequest()), (error: unknown) => {
      assert.ok(error instanceof WardenError);
      assert.equal(error.code, 'model.auth');
      assert.match(error.message, /^a rejected the credentials \(401\): export A_KEY=…$/);
      assert.match(error.hint ?? '', /fallbacks failed too — b: /);
      return true;
    });
  });

  it('stops at once when the turn is cancelled', async () => {
    const controller = new AbortController();
    const model: LanguageModelV4 = {
      ...stubModel([]),
      async doStream() {
        controller.abort();
        throw new DOMException('This operation was aborted', 'AbortError');
      },
    };
    const fallback = stubModel([[...text('no'), finish()]]);
    const client = createModelClient({
      primary: endpoint('a', model),
      fallbacks: [endpoint('b', fallback)],
      retry: RETRY,
      clock: noWait,
    });
    await assert.rejects(client.turn(sampleRequest({ signal: controller.signal })), (error: unknown) => {
      assert.ok(error instanceof WardenError);
      assert.equal(error.code, 'model.aborted');
      return true;
    });
    assert.equal(fallback.calls.length, 0);
  });

  it('abandons a call that goes quiet and retries it, while a slow but talking stream is left alone', async () => {
    let calls = 0;
    const model: LanguageModelV4 = {
      specificationVersion: 'v4',
      provider: 'stub',
      modelId: 'stub',
      supportedUrls: {},
      doGenerate: () => Promise.reject(new Error('not used')),
      async doStream(options) {
        calls++;
        const first = calls === 1;
        return {
          stream: new ReadableStream<LanguageModelV4StreamPart>({
            async start(controller) {
              if (first) {
                // Headers arrived, then nothing: only the abort ends it.
                options.abortSignal?.addEventListener('abort', () =>
                  controller.error(options.abortSignal?.reason),
                );
                return;
              }
              // Slower in total than the stall limit, but never quiet for that long.
              for (const part of text('steady')) {
                controller.enqueue(part);
                await new Promise((resolve) => setTimeout(resolve, 30));
              }
              controller.enqueue(finish());
              controller.close();
            },
          }),
        };
      },
    };
    const log = deltaLog();
    const turn = await createModelClient({
      primary: endpoint('a', model),
      retry: RETRY,
      clock: noWait,
      stallTimeoutMs: 60,
    }).turn(sampleRequest(), log.onDelta);
    assert.equal(turn.text, 'steady');
    assert.equal(turn.attempts, 2);
    assert.equal(calls, 2);
  });
});
