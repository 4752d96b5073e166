import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APICallError } from '@ai-sdk/provider';
import { WardenError } from '../errors.ts';
import { backoffDelay, classifyFailure, type RetryClock, retryAfterMs, withRetry } from './retry.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const POLICY = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

function apiError(
  statusCode: number | undefined,
  headers: Record<string, string> = {},
  isRetryable?: boolean,
) {
  return new APICallError({
    message: `status ${statusCode}`,
    url: 'http://127.0.0.1/v1/x',
    requestBodyValues: {},
    ...(statusCode === undefined ? {} : { statusCode }),
    responseHeaders: headers,
    ...(isRetryable === undefined ? {} : { isRetryable }),
  });
}

/** A clock that records sleeps instead of sleeping. */
function fakeClock(random = 0.5): RetryClock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, sleep: async (ms) => void slept.push(ms), random: () => random, now: () => NOW };
}

/** Fails with the given errors in order, then succeeds. */
function flaky(errors: unknown[]) {
  let calls = 0;
  const run = async () => {
    const error = errors[calls++];
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { run, calls: () => calls };
}

describe('retryAfterMs', () => {
  it('reads seconds, milliseconds and HTTP dates', () => {
    assert.equal(retryAfterMs({ 'retry-after': '2' }, NOW), 2000);
    assert.equal(retryAfterMs({ 'retry-after': '0' }, NOW), 0);
    assert.equal(retryAfterMs({ 'retry-after': '1.5' }, NOW), 1500);
    assert.equal(retryAfterMs({ 'retry-after-ms': '250', 'retry-after': '9' }, NOW), 250);
    assert.equal(retryAfterMs({ 'Retry-After': new Date(NOW + 7000).toUTCString() }, NOW), 7000);
    assert.equal(retryAfterMs({ 'retry-after': new Date(NOW - 7000).toUTCString() }, NOW), 0);
    assert.equal(retryAfterMs({ 'retry-after': 'soon' }, NOW), undefined);
    assert.equal(retryAfterMs({}, NOW), undefined);
    assert.equal(retryAfterMs(undefined, NOW), undefined);
  });
});

describe('classifyFailure', () => {
  const table: Array<[string, unknown, boolean]> = [
    ['429', apiError(429), true],
    ['500', apiError(500), true],
    ['503', apiError(503), true],
    ['529 overloaded', apiError(529), true],
    ['408 marked retryable', apiError(408), true],
    ['409 marked not retryable', apiError(409, {}, false), false],
    ['400', apiError(400), false],
    ['401', apiError(401), false],
    ['403', apiError(403), false],
    ['404', apiError(404), false],
    ['401 even if marked retryable', apiError(401, {}, true), false],
    ['422', apiError(422), false],
    ['network error (no status, marked retryable)', apiError(undefined, {}, true), true],
    ['stream error object 529', { message: 'Overloaded', statusCode: 529, isRetryable: true }, true],
    ['stream error object 400', { message: 'bad', statusCode: 400, isRetryable: false }, false],
    [
      'undici socket cut',
      Object.assign(new TypeError('terminated'), { cause: { code: 'UND_ERR_SOCKET' } }),
      true,
    ],
    ['connection refused', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), true],
    ['an interrupted stream', new WardenError('model.interrupted', 'cut off'), true],
    ['another Warden error', new WardenError('model.credentials', 'no key'), false],
    ['a plain bug', new Error('undefined is not a function'), false],
    ['an abort', new DOMException('aborted', 'AbortError'), false],
  ];
  for (const [what, error, retryable] of table) {
    it(`${what}: ${retryable ? 'retry' : 'final'}`, () =>
      assert.equal(classifyFailure(error, NOW).retryable, retryable));
  }
});

describe('backoffDelay', () => {
  it('uses full jitter within [0, min(max, base·2^(n-1))]', () => {
    for (const [attempt, ceiling] of [
      [1, 100],
      [2, 200],
      [3, 400],
      [4, 800],
      [5, 1000],
      [9, 1000],
    ] as const) {
      assert.equal(
        backoffDelay(attempt, POLICY, () => 0),
        0,
      );
      assert.equal(
        backoffDelay(attempt, POLICY, () => 0.5),
        ceiling / 2,
      );
      const top = backoffDelay(attempt, POLICY, () => 0.999999);
      assert.ok(top < ceiling && top >= ceiling - 1, `attempt ${attempt}: ${top} vs ${ceiling}`);
    }
  });

  it("takes the server's wait, capped by the max delay", () => {
    assert.equal(
      backoffDelay(1, POLICY, () => 0.9, 300),
      300,
    );
    assert.equal(
      backoffDelay(1, POLICY, () => 0.9, 0),
      0,
    );
    assert.equal(
      backoffDelay(1, POLICY, () => 0.9, 60_000),
      1000,
    );
  });
});

describe('withRetry', () => {
  it('honours Retry-After and reports each retry', async () => {
    const clock = fakeClock();
    const retries: unknown[] = [];
    const { run, calls } = flaky([apiError(429, { 'retry-after': '0.2' }), apiError(503)]);
    const result = await withRetry(run, { policy: POLICY, clock, onRetry: (retry) => retries.push(retry) });
    assert.equal(result, 'ok');
    assert.equal(calls(), 3);
    assert.deepEqual(clock.slept, [200, 100]); // server's 200 ms; then jitter 0.5 × 200
    assert.deepEqual(retries, [
      { attempt: 2, delayMs: 200, reason: '429: status 429' },
      { attempt: 3, delayMs: 100, reason: '503: status 503' },
    ]);
  });

  it('never retries a 401', async () => {
    const clock = fakeClock();
    const { run, calls } = flaky([apiError(401)]);
    await assert.rejects(withRetry(run, { policy: POLICY, clock }), (error) =>
      APICallError.isInstance(error),
    );
    assert.equal(calls(), 1);
    assert.deepEqual(clock.slept, []);
  });

  it('gives up after max attempts with the last error', async () => {
    const clock = fakeClock();
    const errors = [apiError(500), apiError(502), apiError(503), apiError(504), apiError(500)];
    const { run, calls } = flaky(errors);
    await assert.rejects(withRetry(run, { policy: POLICY, clock }), (error) => error === errors[3]);
    assert.equal(calls(), 4);
    assert.equal(clock.slept.length, 3);
  });

  it('stops when canRetry says the attempt cannot be repeated', async () => {
    const { run, calls } = flaky([apiError(500)]);
    await assert.rejects(withRetry(run, { policy: POLICY, clock: fakeClock(), canRetry: () => false }));
    assert.equal(calls(), 1);
  });

  it('does not retry once the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { run, calls } = flaky([apiError(500)]);
    await assert.rejects(withRetry(run, { policy: POLICY, clock: fakeClock(), signal: controller.signal }));
    assert.equal(calls(), 1);
  });
});
