/** Anthropic Messages requests (`POST /v1/messages`) read into Warden's TurnRequest. */
import { z } from 'zod';
import type { ToolSpec } from '../models/types.ts';
import { createConversation, omitted } from './conversation.ts';
import { type ParsedRequest, parseWith } from './dialect.ts';

const textBlock = z.looseObject({ type: z.string(), text: z.string().optional() });

const block = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  tool_use_id: z.string().optional(),
  content: z.union([z.string(), z.array(textBlock)]).optional(),
  is_error: z.boolean().optional(),
});

const messageSchema = z.looseObject({
  // Claude Code sends `system` messages between turns (a beta of the API).
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(block)]),
});

const toolSchema = z.looseObject({
  type: z.string().optional(),
  name: z.string(),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
});

export const anthropicBodySchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(messageSchema),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  tools: z.array(toolSchema).optional(),
  max_tokens: z.number().int().positive().optional(),
  stream: z.boolean().optional(),
});

export type AnthropicBody = z.infer<typeof anthropicBodySchema>;

function blockText(entry: z.infer<typeof textBlock>): string {
  if (entry.type === 'text') return entry.text ?? '';
  if (entry.type === 'image') return omitted('image');
  if (entry.type === 'document') return omitted('document');
  return '';
}

function joinText(value: string | Array<z.infer<typeof textBlock>> | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return value
    .map(blockText)
    .filter((text) => text !== '')
    .join('\n');
}

/** Custom tools only: server tools (web search, code execution) run at Anthropic, not here. */
function readTools(tools: AnthropicBody['tools']): ToolSpec[] {
  return (tools ?? []).flatMap((tool) =>
    tool.input_schema !== undefined && (tool.type === undefined || tool.type === 'custom')
      ? [{ name: tool.name, description: tool.description ?? '', parameters: tool.input_schema }]
      : [],
  );
}

export function readAnthropicBody(body: AnthropicBody): ParsedRequest {
  const conversation = createConversation();
  conversation.system(joinText(body.system));
  for (const message of body.messages) {
    if (message.role === 'system') {
      conversation.system(joinText(message.content));
      continue;
    }
    if (typeof message.content === 'string') {
      if (message.role === 'user') conversation.user(message.content);
      else if (message.content !== '') conversation.assistantText(message.content);
      continue;
    }
    // Results first: Anthropic puts them at the head of a user message, answering the last turn.
    const texts: string[] = [];
    for (const entry of message.content) {
      if (entry.type === 'tool_result') {
        conversation.toolResult(entry.tool_use_id ?? '', joinText(entry.content), entry.is_error === true);
      } else if (entry.type === 'tool_use') {
        conversation.toolCall({
          id: entry.id ?? '',
          name: entry.name ?? '',
          input: JSON.stringify(entry.input ?? {}),
        });
      } else if (message.role === 'assistant' && entry.type === 'text' && entry.text) {
        conversation.assistantText(entry.text);
      } else {
        const text = blockText(entry);
        if (text !== '') texts.push(text);
      }
    }
    if (texts.length > 0) conversation.user(texts.join('\n'));
  }
  return {
    model: body.model,
    stream: body.stream === true,
    turn: {
      ...conversation.build(),
      tools: readTools(body.tools),
      ...(body.max_tokens ? { maxOutputTokens: body.max_tokens } : {}),
    },
  };
}

export function parseAnthropicRequest(body: unknown): ParsedRequest {
  return readAnthropicBody(parseWith(anthropicBodySchema, body, 'POST /v1/messages'));
}

/** About four characters a token, over everything the model would read: an estimate, as allowed. */
export function estimateInputTokens(body: unknown): number {
  const schema = anthropicBodySchema.omit({ max_tokens: true });
  const { max_tokens: _ignored, ...parsed } = parseWith(schema, body, 'POST /v1/messages/count_tokens');
  const { turn } = readAnthropicBody(parsed);
  const chars = turn.system.length + JSON.stringify(turn.messages).length + JSON.stringify(turn.tools).length;
  return Math.max(1, Math.ceil(chars / 4));
}
