/** OpenAI Chat Completions (`POST /v1/chat/completions`): what most OpenAI-compatible clients speak. */
import { z } from 'zod';
import type { FinishReason, Turn } from '../models/types.ts';
import { createConversation, omitted } from './conversation.ts';
import {
  type Dialect,
  newId,
  objectArguments,
  type ParsedRequest,
  parseWith,
  SSE_COMMENT,
  sse,
  type WireMeta,
} from './dialect.ts';
import { openaiError, openaiErrorObject } from './openai-errors.ts';

const part = z.looseObject({ type: z.string(), text: z.string().optional() });
const content = z.union([z.string(), z.array(part)]).nullish();

const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content,
  tool_calls: z
    .array(
      z.looseObject({
        id: z.string(),
        function: z.looseObject({ name: z.string(), arguments: z.string().optional() }),
      }),
    )
    .nullish(),
  tool_call_id: z.string().optional(),
});

const requestSchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(message).min(1),
  tools: z
    .array(
      z.looseObject({
        type: z.string(),
        function: z
          .looseObject({
            name: z.string(),
            description: z.string().optional(),
            parameters: z.record(z.string(), z.unknown()).optional(),
          })
          .optional(),
      }),
    )
    .nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
});

export interface ChatRequest extends ParsedRequest {
  includeUsage: boolean;
}

function textOf(value: z.infer<typeof content>): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return value
    .map((p) => (p.type === 'text' ? (p.text ?? '') : omitted(p.type === 'image_url' ? 'image' : p.type)))
    .join('\n');
}

function parseChatRequest(body: unknown): ChatRequest {
  const request = parseWith(requestSchema, body, 'POST /v1/chat/completions');
  const conversation = createConversation();
  for (const entry of request.messages) {
    const text = textOf(entry.content);
    switch (entry.role) {
      case 'system':
      case 'developer':
        conversation.system(text);
        break;
      case 'user':
        conversation.user(text);
        break;
      case 'assistant':
        if (text !== '') conversation.assistantText(text);
        for (const call of entry.tool_calls ?? []) {
          conversation.toolCall({
            id: call.id,
            name: call.function.name,
            input: call.function.arguments ?? '',
          });
        }
        break;
      case 'tool':
        conversation.toolResult(entry.tool_call_id ?? '', text, false);
        break;
    }
  }
  const tools = (request.tools ?? []).flatMap((tool) =>
    tool.type === 'function' && tool.function !== undefined
      ? [
          {
            name: tool.function.name,
            description: tool.function.description ?? '',
            parameters: tool.function.parameters ?? { type: 'object', properties: {} },
          },
        ]
      : [],
  );
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  return {
    model: request.model,
    stream: request.stream === true,
    includeUsage: request.stream_options?.include_usage === true,
    turn: { ...conversation.build(), tools, ...(maxTokens ? { maxOutputTokens: maxTokens } : {}) },
  };
}

const FINISH: Record<FinishReason, string> = {
  stop: 'stop',
  'tool-calls': 'tool_calls',
  length: 'length',
  'content-filter': 'content_filter',
  error: 'stop',
  other: 'stop',
};

function chatUsage(turn: Turn): Record<string, unknown> {
  return {
    prompt_tokens: turn.usage.inputTokens,
    completion_tokens: turn.usage.outputTokens,
    total_tokens: turn.usage.inputTokens + turn.usage.outputTokens,
    prompt_tokens_details: { cached_tokens: turn.usage.cacheReadTokens },
  };
}

function toolCalls(turn: Turn): Array<Record<string, unknown>> {
  return turn.toolCalls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: objectArguments(call.input) },
  }));
}

export const chatDialect: Dialect<ChatRequest> = {
  api: 'openai.chat',
  newId: () => newId('chatcmpl-'),
  parse: parseChatRequest,
  error: openaiError,

  body(_parsed, turn, meta: WireMeta) {
    const calls = toolCalls(turn);
    return {
      id: meta.id,
      object: 'chat.completion',
      created: meta.created,
      model: meta.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: turn.text === '' && calls.length > 0 ? null : turn.text,
            refusal: null,
            ...(calls.length > 0 ? { tool_calls: calls } : {}),
          },
          logprobs: null,
          finish_reason: FINISH[turn.finishReason],
        },
      ],
      usage: chatUsage(turn),
    };
  },

  encoder(parsed, meta) {
    // With include_usage every chunk carries `usage: null` and one last chunk carries the numbers.
    const usageField = parsed.includeUsage ? { usage: null } : {};
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      sse(undefined, {
        id: meta.id,
        object: 'chat.completion.chunk',
        created: meta.created,
        model: meta.model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        ...usageField,
      });
    return {
      open: () => chunk({ role: 'assistant', content: '', refusal: null }),
      text: (delta) => chunk({ content: delta }),
      finish(turn) {
        let out = '';
        toolCalls(turn).forEach((call, index) => {
          const fn = call.function as { name: string; arguments: string };
          out += chunk({
            tool_calls: [
              { index, id: call.id, type: 'function', function: { name: fn.name, arguments: '' } },
            ],
          });
          out += chunk({ tool_calls: [{ index, function: { arguments: fn.arguments } }] });
        });
        out += chunk({}, FINISH[turn.finishReason]);
        if (parsed.includeUsage) {
          out += sse(undefined, {
            id: meta.id,
            object: 'chat.completion.chunk',
            created: meta.created,
            model: meta.model,
            choices: [],
            usage: chatUsage(turn),
          });
        }
        return `${out}${sse(undefined, '[DONE]')}`;
      },
      // The OpenAI SDKs raise an API error on a chunk that carries `error`.
      fail: (failure) => sse(undefined, { error: openaiErrorObject(failure) }),
      keepalive: () => SSE_COMMENT,
    };
  },
};
