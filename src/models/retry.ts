import { APICallError } from '@ai-sdk/provider';
import { isWardenError } from '../errors.ts';

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Time and chance, injected so tests run without waiting or guessing. */
export interface RetryClock {
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1). */
  random(): number;
  now(): number;
}

export function systemClock(): RetryClock {
  return {
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, ms);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    random: Math.random,
    now: Date.now,
  };
}

export interface Failure {
  retryable: boolean;
  aborted: boolean;
  /** HTTP status when the provider answered, else undefined (network, stream, ours). */
  status: number | undefined;
  /** What the server asked us to wait, when it said. */
  retryAfterMs: number | undefined;
  reason: string;
}

/** Codes of our own errors that mean "the stream broke", which a fresh attempt may fix. */
const RETRYABLE_CODES = new Set(['model.interrupted']);
/** Never retried: the same request will fail the same way (bad request, key, permission, model). */
const FINAL_STATUSES = new Set([400, 401, 403, 404]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function isNetworkError(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
    const code = field(current, 'code');
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    // undici: `fetch failed` before the response, `terminated` when the body stream is cut.
    if (current instanceof TypeError && /^(fetch failed|terminated)$/i.test(current.message)) return true;
    current = field(current, 'cause');
  }
  return false;
}

/** Milliseconds from `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: Record<string, string> | undefined, now: number): number | undefined {
  if (headers === undefined) return undefined;
  const get = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const ms = get('retry-after-ms');
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = get('retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (Number.isFinite(Number(value))) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function describeStatus(status: number | undefined, message: string): string {
  return status === undefined ? message : `${status}: ${message}`;
}

/**
 * Provider errors come as `APICallError` (HTTP answered or network), as plain error objects
 * inside the stream (`{ statusCode, isRetryable, message }`), or as transport errors.
 */
export function classifyFailure(error: unknown, now: number): Failure {
  const message = error instanceof Error ? error.message : String(field(error, 'message') ?? error);
  if (field(error, 'name') === 'AbortError') {
    return { retryable: false, aborted: true, status: undefined, retryAfterMs: undefined, reason: message };
  }
  if (isWardenError(error)) {
    const retryable = RETRYABLE_CODES.has(error.code);
    return { retryable, aborted: false, status: undefined, retryAfterMs: undefined, reason: error.message };
  }
  const apiError = APICallError.isInstance(error) ? error : undefined;
  const statusField = apiError?.statusCode ?? field(error, 'statusCode');
  const status = typeof statusField === 'number' ? statusField : undefined;
  const flag = apiError?.isRetryable ?? field(error, 'isRetryable');
  const headers = apiError?.responseHeaders;
  const wait = retryAfterMs(headers, now);
  const reason = describeStatus(status, message);

  let retryable: boolean;
  if (status !== undefined && FINAL_STATUSES.has(status)) retryable = false;
  else if (status === 429 || (status !== undefined && status >= 500)) retryable = true;
  else if (status !== undefined)
    retryable = flag === true; // 408, 409: as the provider marks them
  else retryable = flag === true || isNetworkError(error);
  return { retryable, aborted: false, status, retryAfterMs: wait, reason };
}

/**
 * Delay before retry number `attempt` (1 = the first retry). The server's wait wins when it
 * gave one; otherwise full jitter — uniform in [0, min(max, base·2^(attempt-1))] — so many
 * clients rate-limited together do not come back together.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number,
  serverWaitMs?: number,
): number {
  if (serverWaitMs !== undefined) return Math.min(policy.maxDelayMs, Math.ceil(serverWaitMs));
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: RetryClock;
  signal?: AbortSignal;
  /** Asked after a retryable failure; false makes that failure final (e.g. output already shown). */
  canRetry?: () => boolean;
  onRetry?: (retry: { attempt: number; delayMs: number; reason: string }) => void;
}

/** Run `attempt` until it succeeds, fails for good, or the attempts run out; the last error is thrown. */
export async function withRetry<T>(run: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (options.signal?.aborted || attempt >= options.policy.maxAttempts) throw error;
      const failure = classifyFailure(error, options.clock.now());
      if (!failure.retryable || options.canRetry?.() === false) throw error;
      const delayMs = backoffDelay(attempt, options.policy, options.clock.random, failure.retryAfterMs);
      options.onRetry?.({ attempt: attempt + 1, delayMs, reason: failure.reason });
      await options.clock.sleep(delayMs, options.signal);
    }
  }
}
