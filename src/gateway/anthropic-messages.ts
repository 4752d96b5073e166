/** The Anthropic Messages API (`POST /v1/messages`): what Claude Code speaks. */
import type { FinishReason, Turn } from '../models/types.ts';
import { parseAnthropicRequest } from './anthropic-messages-request.ts';
import { type Dialect, newId, objectArguments, type ParsedRequest, sse, type WireMeta } from './dialect.ts';
import { type GatewayErrorKind, type GatewayFailure, STATUS_OF } from './types.ts';

const STOP: Record<FinishReason, string> = {
  stop: 'end_turn',
  'tool-calls': 'tool_use',
  length: 'max_tokens',
  'content-filter': 'refusal',
  error: 'end_turn',
  other: 'end_turn',
};

const ERROR_TYPE: Record<GatewayErrorKind, string> = {
  auth: 'authentication_error',
  budget: 'rate_limit_error',
  bad_request: 'invalid_request_error',
  not_found: 'not_found_error',
  rate_limited: 'rate_limit_error',
  upstream: 'api_error',
  overloaded: 'overloaded_error',
  internal: 'api_error',
};

function errorBody(failure: GatewayFailure): Record<string, unknown> {
  return { type: 'error', error: { type: ERROR_TYPE[failure.kind], message: failure.message } };
}

/** Anthropic's input_tokens leaves out cached tokens, which it counts apart. */
function usageOf(turn: Turn): Record<string, number> {
  const { usage } = turn;
  return {
    input_tokens: Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens),
    cache_creation_input_tokens: usage.cacheWriteTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    output_tokens: usage.outputTokens,
  };
}

function contentOf(turn: Turn): Array<Record<string, unknown>> {
  return [
    ...(turn.text === '' ? [] : [{ type: 'text', text: turn.text }]),
    ...turn.toolCalls.map((call) => ({
      type: 'tool_use',
      id: call.id,
      name: call.name,
      input: JSON.parse(objectArguments(call.input)) as unknown,
    })),
  ];
}

export const messagesDialect: Dialect<ParsedRequest> = {
  api: 'anthropic.messages',
  newId: () => newId('msg_'),
  parse: parseAnthropicRequest,

  error: (failure) => ({
    status: STATUS_OF[failure.kind],
    ...(failure.kind === 'budget' ? { headers: { 'x-should-retry': 'false' } } : {}),
    body: errorBody(failure),
  }),

  body: (_parsed, turn, meta: WireMeta) => ({
    id: meta.id,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content: contentOf(turn),
    stop_reason: STOP[turn.finishReason],
    stop_sequence: null,
    usage: usageOf(turn),
  }),

  encoder(_parsed, meta) {
    const event = (type: string, data: Record<string, unknown>) => sse(type, { type, ...data });
    let index = 0;
    let textOpen = false;
    const closeText = () => {
      if (!textOpen) return '';
      textOpen = false;
      return event('content_block_stop', { index: index++ });
    };
    return {
      open: () =>
        event('message_start', {
          message: {
            id: meta.id,
            type: 'message',
            role: 'assistant',
            model: meta.model,
            content: [],
            stop_reason: null,
            stop_sequence: null,
            // The real counts are known at the end; message_delta carries them.
            usage: {
              input_tokens: 0,
              cache_creation_input_tokens: 0,
              cache_read_input_tokens: 0,
              output_tokens: 0,
            },
          },
        }),
      text(delta) {
        let out = '';
        if (!textOpen) {
          textOpen = true;
          out += event('content_block_start', { index, content_block: { type: 'text', text: '' } });
        }
        return `${out}${event('content_block_delta', { index, delta: { type: 'text_delta', text: delta } })}`;
      },
      finish(turn) {
        let out = closeText();
        for (const call of turn.toolCalls) {
          out += event('content_block_start', {
            index,
            content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
          });
          out += event('content_block_delta', {
            index,
            delta: { type: 'input_json_delta', partial_json: objectArguments(call.input) },
          });
          out += event('content_block_stop', { index: index++ });
        }
        return (
          out +
          event('message_delta', {
            delta: { stop_reason: STOP[turn.finishReason], stop_sequence: null },
            usage: usageOf(turn),
          }) +
          event('message_stop', {})
        );
      },
      fail: (failure) => closeText() + sse('error', errorBody(failure)),
      keepalive: () => event('ping', {}),
    };
  },
};
