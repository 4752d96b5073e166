/** Errors as OpenAI's APIs send them: `{ error: { message, type, param, code } }`. */
import { type GatewayErrorKind, type GatewayFailure, STATUS_OF } from './types.ts';

const OPENAI_ERROR: Record<GatewayErrorKind, { type: string; code: string | null }> = {
  auth: { type: 'invalid_request_error', code: 'invalid_api_key' },
  // Codex and the OpenAI SDKs treat insufficient_quota as final: a spent budget is not retried.
  budget: { type: 'insufficient_quota', code: 'insufficient_quota' },
  bad_request: { type: 'invalid_request_error', code: null },
  not_found: { type: 'invalid_request_error', code: 'model_not_found' },
  rate_limited: { type: 'requests', code: 'rate_limit_exceeded' },
  upstream: { type: 'server_error', code: 'upstream_error' },
  overloaded: { type: 'server_error', code: 'server_is_overloaded' },
  internal: { type: 'server_error', code: null },
};

export function openaiErrorObject(failure: GatewayFailure): Record<string, unknown> {
  const { type, code } = OPENAI_ERROR[failure.kind];
  return { message: failure.message, type, param: null, code };
}

export function openaiError(failure: GatewayFailure): {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
} {
  return {
    status: STATUS_OF[failure.kind],
    // Read by the OpenAI and Anthropic SDKs: do not retry what cannot succeed.
    ...(failure.kind === 'budget' ? { headers: { 'x-should-retry': 'false' } } : {}),
    body: { error: openaiErrorObject(failure) },
  };
}
