/** The OpenAI Responses API (`POST /v1/responses`): what Codex CLI speaks. */
import type { Turn } from '../models/types.ts';
import { type Dialect, newId, objectArguments, SSE_COMMENT, sse, type WireMeta } from './dialect.ts';
import { openaiError, openaiErrorObject } from './openai-errors.ts';
import { parseResponsesRequest, type ResponsesRequest } from './openai-responses-request.ts';
import type { GatewayFailure } from './types.ts';

type Item = Record<string, unknown>;

function responseUsage(turn: Turn): Record<string, unknown> {
  const { usage } = turn;
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

function envelope(
  meta: WireMeta,
  status: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.created,
    status,
    error: null,
    incomplete_details: null,
    model: meta.model,
    output: [],
    usage: null,
    ...extra,
  };
}

function messageItem(id: string, text: string, status: string): Item {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: status === 'in_progress' ? [] : [{ type: 'output_text', text, annotations: [] }],
  };
}

/** A tool call as an output item; freeform tools answer with their raw input, as OpenAI's do. */
function callItem(call: Turn['toolCalls'][number], custom: boolean, status: string, done: boolean): Item {
  if (custom) {
    let input = '';
    try {
      const parsed: unknown = JSON.parse(call.input);
      const value = (parsed as { input?: unknown } | null)?.input;
      input = typeof value === 'string' ? value : call.input;
    } catch {
      input = call.input;
    }
    return {
      id: `ctc_${call.id}`,
      type: 'custom_tool_call',
      status,
      call_id: call.id,
      name: call.name,
      input: done ? input : '',
    };
  }
  return {
    id: `fc_${call.id}`,
    type: 'function_call',
    status,
    call_id: call.id,
    name: call.name,
    arguments: done ? objectArguments(call.input) : '',
  };
}

function outputItems(parsed: ResponsesRequest, turn: Turn, messageId: string): Item[] {
  const items: Item[] = [];
  if (turn.text !== '') items.push(messageItem(messageId, turn.text, 'completed'));
  for (const call of turn.toolCalls)
    items.push(callItem(call, parsed.customTools.has(call.name), 'completed', true));
  return items;
}

/** `length` and `content-filter` end a response as incomplete, with the reason OpenAI gives. */
function ending(turn: Turn): { status: string; incomplete: Record<string, string> | null } {
  if (turn.finishReason === 'length')
    return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
  if (turn.finishReason === 'content-filter')
    return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
  return { status: 'completed', incomplete: null };
}

export const responsesDialect: Dialect<ResponsesRequest> = {
  api: 'openai.responses',
  newId: () => newId('resp_'),
  parse: parseResponsesRequest,
  error: openaiError,

  body(parsed, turn, meta) {
    const { status, incomplete } = ending(turn);
    return envelope(meta, status, {
      incomplete_details: incomplete,
      output: outputItems(parsed, turn, `msg_${meta.id.slice(5)}`),
      usage: responseUsage(turn),
    });
  },

  encoder(parsed, meta) {
    let sequence = 0;
    const event = (type: string, data: Record<string, unknown>) =>
      sse(type, { type, ...data, sequence_number: sequence++ });
    const messageId = `msg_${meta.id.slice(5)}`;
    let text = '';
    let textOpen = false;

    const closeText = (): string => {
      if (!textOpen) return '';
      textOpen = false;
      const place = { item_id: messageId, output_index: 0, content_index: 0 };
      return (
        event('response.output_text.done', { ...place, text, logprobs: [] }) +
        event('response.content_part.done', {
          ...place,
          part: { type: 'output_text', text, annotations: [] },
        }) +
        event('response.output_item.done', {
          output_index: 0,
          item: messageItem(messageId, text, 'completed'),
        })
      );
    };

    return {
      open: () =>
        event('response.created', { response: envelope(meta, 'in_progress') }) +
        event('response.in_progress', { response: envelope(meta, 'in_progress') }),
      text(delta) {
        let out = '';
        if (!textOpen) {
          textOpen = true;
          out +=
            event('response.output_item.added', {
              output_index: 0,
              item: messageItem(messageId, '', 'in_progress'),
            }) +
            event('response.content_part.added', {
              item_id: messageId,
              output_index: 0,
              content_index: 0,
              part: { type: 'output_text', text: '', annotations: [] },
            });
        }
        text += delta;
        return `${out}${event('response.output_text.delta', { item_id: messageId, output_index: 0, content_index: 0, delta, logprobs: [] })}`;
      },
      finish(turn) {
        let out = closeText();
        const first = turn.text === '' ? 0 : 1;
        turn.toolCalls.forEach((call, index) => {
          const custom = parsed.customTools.has(call.name);
          const outputIndex = first + index;
          const done = callItem(call, custom, 'completed', true);
          const place = { item_id: done.id, output_index: outputIndex };
          out += event('response.output_item.added', {
            output_index: outputIndex,
            item: callItem(call, custom, 'in_progress', false),
          });
          if (custom) {
            out +=
              event('response.custom_tool_call_input.delta', { ...place, delta: done.input }) +
              event('response.custom_tool_call_input.done', { ...place, input: done.input });
          } else {
            out +=
              event('response.function_call_arguments.delta', { ...place, delta: done.arguments }) +
              event('response.function_call_arguments.done', { ...place, arguments: done.arguments });
          }
          out += event('response.output_item.done', { output_index: outputIndex, item: done });
        });
        const { status, incomplete } = ending(turn);
        const response = envelope(meta, status, {
          incomplete_details: incomplete,
          output: outputItems(parsed, turn, messageId),
          usage: responseUsage(turn),
        });
        return (
          out + event(status === 'completed' ? 'response.completed' : 'response.incomplete', { response })
        );
      },
      fail(failure: GatewayFailure) {
        const error = openaiErrorObject(failure);
        return (
          closeText() +
          event('response.failed', {
            response: envelope(meta, 'failed', {
              error: { code: error.code ?? 'server_error', message: failure.message },
            }),
          })
        );
      },
      keepalive: () => SSE_COMMENT,
    };
  },
};
