/** Errors outside the gateway's routes (an unknown path, a gateway that is off) in the client's own format. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { messagesDialect } from './anthropic-messages.ts';
import { failure } from './failure.ts';
import { openaiError } from './openai-errors.ts';
import type { GatewayErrorKind } from './types.ts';

/**
 * Anthropic's SDKs send `anthropic-version` on every request; everything else reads OpenAI's
 * shape. The body is what each SDK parses into the message it shows its user.
 */
export function sendClientError(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: GatewayErrorKind,
  code: string,
  message: string,
): FastifyReply {
  const gatewayFailure = failure(kind, code, message);
  const wire =
    request.headers['anthropic-version'] === undefined
      ? openaiError(gatewayFailure)
      : messagesDialect.error(gatewayFailure);
  return reply
    .code(wire.status)
    .headers(wire.headers ?? {})
    .send(wire.body);
}
