import type { LanguageModelV4, LanguageModelV4CallOptions, SharedV4ProviderOptions } from '@ai-sdk/provider';
import { WardenError } from '../errors.ts';
import { costOf } from './prices.ts';
import { toPrompt, toTools } from './prompt.ts';
import { readTurnStream } from './read-stream.ts';
import { classifyFailure, type RetryClock, type RetryPolicy, systemClock, withRetry } from './retry.ts';
import { startStallWatchdog } from './stall-watchdog.ts';
import type { ModelClient, ModelInfo, Turn, TurnDelta, TurnRequest } from './types.ts';

/** One model the client may call: the primary or a fallback. */
export interface ModelEndpoint {
  info: ModelInfo;
  model: LanguageModelV4;
  /** One line telling the user how to fix a 401/403 from this provider. */
  authFix: string;
  providerOptions?: SharedV4ProviderOptions;
}

export interface ModelClientOptions {
  primary: ModelEndpoint;
  /** Tried in order when the primary fails for good. */
  fallbacks?: ModelEndpoint[];
  retry: RetryPolicy;
  clock?: RetryClock;
  /** A call that sends nothing for this long is abandoned and retried (default 120 s). */
  stallTimeoutMs?: number;
}

const DEFAULT_STALL_TIMEOUT_MS = 120_000;

const MAX_REASON = 300;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_REASON ? `${flat.slice(0, MAX_REASON)}…` : flat;
}

/**
 * A failed turn as an error a person can act on. The provider's own message is left out of
 * auth errors: some echo part of the key back.
 */
export function describeFailure(error: unknown, endpoint: ModelEndpoint, now: number): WardenError {
  const id = endpoint.info.id;
  if (error instanceof WardenError) {
    return error.code === 'model.interrupted'
      ? new WardenError(error.code, `${id}: ${error.message}`, { cause: error })
      : error;
  }
  const failure = classifyFailure(error, now);
  const reason = oneLine(failure.reason);
  const options = { cause: error };
  const { status } = failure;
  if (failure.aborted) return new WardenError('model.aborted', `${id}: the turn was cancelled`, options);
  if (status === 401 || status === 403) {
    return new WardenError(
      'model.auth',
      `${id} rejected the credentials (${status}): ${endpoint.authFix}`,
      options,
    );
  }
  if (status === 429) {
    return new WardenError('model.rate_limited', `${id} is rate limited: ${reason}`, {
      ...options,
      hint: 'wait a while, raise retry.max_attempts, or set fallback_models',
    });
  }
  if (status !== undefined && status >= 500) {
    return new WardenError('model.unavailable', `${id} failed on the provider's side: ${reason}`, options);
  }
  if (status === 404) {
    return new WardenError('model.request', `${id}: ${reason}`, { ...options, hint: 'check the model name' });
  }
  if (status !== undefined)
    return new WardenError('model.request', `${id} refused the request: ${reason}`, options);
  if (failure.retryable) return new WardenError('model.network', `${id}: ${reason}`, options);
  return new WardenError('model.error', `${id}: ${reason}`, options);
}

/**
 * The agent's one door to a model: `turn()` streams one answer, with retries and fallbacks.
 *
 * Retry rule: a turn is retried (or handed to a fallback) only while nothing of it has reached
 * the caller. A TurnDelta cannot take back text the live view already printed, so restarting
 * after visible output would show the answer twice or mixed; and nearly every retryable
 * failure (429, 5xx, connection refused) happens before the first token anyway. A turn that
 * so far produced only tool calls has shown nothing, so it stays retryable to the end.
 */
export function createModelClient(options: ModelClientOptions): ModelClient {
  const clock = options.clock ?? systemClock();
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const endpoints = [options.primary, ...(options.fallbacks ?? [])];

  return {
    info: options.primary.info,
    async turn(request: TurnRequest, onDelta?: (delta: TurnDelta) => void): Promise<Turn> {
      const tools = toTools(request.tools);
      const call: LanguageModelV4CallOptions = {
        prompt: toPrompt(request.system, request.messages),
        ...(tools.length > 0 ? { tools, toolChoice: { type: 'auto' } } : {}),
        ...(request.maxOutputTokens === undefined ? {} : { maxOutputTokens: request.maxOutputTokens }),
        ...(request.signal === undefined ? {} : { abortSignal: request.signal }),
      };
      let attempts = 0;
      let shown = false;
      const failures: Array<{ endpoint: ModelEndpoint; error: WardenError }> = [];

      for (const endpoint of endpoints) {
        const previous = failures.at(-1);
        if (previous !== undefined) {
          onDelta?.({
            type: 'retry',
            attempt: attempts + 1,
            delayMs: 0,
            reason: `${previous.endpoint.info.id} failed (${previous.error.message}); falling back to ${endpoint.info.id}`,
          });
        }
        try {
          const streamed = await withRetry(
            async () => {
              attempts++;
              const watchdog = startStallWatchdog(stallMs, request.signal);
              try {
                const { stream } = await endpoint.model.doStream({
                  ...call,
                  abortSignal: watchdog.signal,
                  ...(endpoint.providerOptions === undefined
                    ? {}
                    : { providerOptions: endpoint.providerOptions }),
                });
                return await readTurnStream(
                  stream,
                  (text) => {
                    shown = true;
                    onDelta?.({ type: 'text', text });
                  },
                  watchdog.touch,
                );
              } catch (error) {
                // A stall is the provider's failure, not the user's cancel: retryable.
                if (watchdog.stalled && !request.signal?.aborted) {
                  throw new WardenError(
                    'model.interrupted',
                    `no data from ${endpoint.info.id} for ${Math.round(stallMs / 1000)} s`,
                    { cause: error },
                  );
                }
                throw error;
              } finally {
                watchdog.stop();
              }
            },
            {
              policy: options.retry,
              clock,
              ...(request.signal === undefined ? {} : { signal: request.signal }),
              canRetry: () => !shown,
              onRetry: (retry) => onDelta?.({ type: 'retry', ...retry, attempt: attempts + 1 }),
            },
          );
          return {
            ...streamed,
            cost: costOf(streamed.usage, endpoint.info.price),
            modelId: endpoint.info.id,
            attempts,
          };
        } catch (error) {
          const failure = describeFailure(error, endpoint, clock.now());
          if (request.signal?.aborted || failure.code === 'model.aborted') {
            throw new WardenError('model.aborted', `${endpoint.info.id}: the turn was cancelled`, {
              cause: error,
            });
          }
          failures.push({ endpoint, error: failure });
          if (shown) break;
        }
      }
      throw finalError(failures);
    },
  };
}

/** The primary's failure is the one to report; the fallbacks' go in the hint. */
function finalError(failures: Array<{ endpoint: ModelEndpoint; error: WardenError }>): WardenError {
  const [first, ...rest] = failures;
  if (first === undefined) return new WardenError('model.error', 'no model to call');
  if (rest.length === 0) return first.error;
  const others = rest.map(({ endpoint, error }) => `${endpoint.info.id}: ${error.message}`).join('; ');
  const hint = first.error.hint === undefined ? '' : `${first.error.hint}; `;
  return new WardenError(first.error.code, first.error.message, {
    hint: `${hint}fallbacks failed too — ${others}`,
    cause: first.error,
  });
}
