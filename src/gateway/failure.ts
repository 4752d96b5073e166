/** Errors of the call path as gateway failures: which wire error a client gets for what went wrong. */
import { WardenError } from '../errors.ts';
import type { Redactor } from '../guard/redactor.ts';
import type { GatewayErrorKind, GatewayFailure } from './types.ts';

const KIND_OF_CODE: Record<string, GatewayErrorKind> = {
  'gateway.auth': 'auth',
  'gateway.budget': 'budget',
  'gateway.request': 'bad_request',
  'gateway.model': 'not_found',
  'model.rate_limited': 'rate_limited',
  // The provider refused the request as sent (too long, bad schema): the client's to fix.
  'model.request': 'bad_request',
  // The provider refused *Warden's* credentials: not the client's key, so not a 401 to it.
  'model.auth': 'upstream',
  'model.unavailable': 'upstream',
  'model.network': 'upstream',
  'model.interrupted': 'upstream',
  'model.error': 'upstream',
};

/**
 * The failure a client sees. Messages go through the redactor: a provider's error may quote
 * the request, and the request may hold what the client sent before redaction.
 */
export function toFailure(error: unknown, redactor: Redactor): GatewayFailure {
  if (error instanceof WardenError) {
    return {
      kind: KIND_OF_CODE[error.code] ?? 'internal',
      code: error.code,
      message: redactor.redact(error.describe()),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'internal', code: 'gateway.internal', message: redactor.redact(message) };
}

export function failure(kind: GatewayErrorKind, code: string, message: string): GatewayFailure {
  return { kind, code, message };
}

/**
 * What the record keeps of a failure: its code, and a fixed message per code. The message the
 * client got is not kept: a provider's error may quote the prompt, and a body that is not JSON
 * is quoted by the parser's own error — neither belongs in an audit log or a session's events.
 */
const RECORDED_MESSAGE: Record<string, string> = {
  'gateway.auth': 'invalid or missing virtual key',
  'gateway.budget': "the key's token or cost budget is spent",
  'gateway.request': 'the request was malformed',
  'gateway.model': 'no such model on this gateway',
  'gateway.client_closed': 'the client closed the connection',
  'gateway.internal': 'the gateway failed',
  'model.rate_limited': 'the provider rate limited the call',
  'model.request': 'the provider refused the request as sent',
  'model.auth': "the provider refused Warden's credentials",
  'model.credentials': 'Warden holds no usable credentials for the provider',
  'model.unavailable': 'the provider was unavailable',
  'model.network': 'the provider could not be reached',
  'model.interrupted': 'the provider ended the answer early',
  'model.aborted': 'the call was cancelled',
  'model.error': 'the provider failed',
};

export function recordedFailure(code: string): { code: string; message: string } {
  return { code, message: RECORDED_MESSAGE[code] ?? 'the call failed (see the code)' };
}
