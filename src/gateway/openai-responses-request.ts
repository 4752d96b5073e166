/** OpenAI Responses API requests (`POST /v1/responses`) read into Warden's TurnRequest. */
import { z } from 'zod';
import { WardenError } from '../errors.ts';
import type { ToolSpec } from '../models/types.ts';
import { createConversation, omitted } from './conversation.ts';
import { type ParsedRequest, parseWith } from './dialect.ts';

const part = z.looseObject({ type: z.string(), text: z.string().optional(), refusal: z.string().optional() });
const content = z.union([z.string(), z.array(part)]);

const item = z.looseObject({
  type: z.string().optional(),
  role: z.string().optional(),
  content: content.optional(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
  input: z.string().optional(),
  output: content.optional(),
});

const tool = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  format: z
    .looseObject({ type: z.string(), syntax: z.string().optional(), definition: z.string().optional() })
    .optional(),
});

const requestSchema = z.looseObject({
  model: z.string().optional(),
  input: z.union([z.string(), z.array(item)]),
  instructions: z.string().nullish(),
  tools: z.array(tool).nullish(),
  stream: z.boolean().nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  previous_response_id: z.string().nullish(),
});

export interface ResponsesRequest extends ParsedRequest {
  /** Freeform (`custom`) tools: offered to the model as a function taking `{ input }`. */
  customTools: Set<string>;
}

function textOf(value: string | Array<z.infer<typeof part>> | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return value
    .map((p) => {
      if (p.type === 'input_image') return omitted('image');
      if (p.type === 'input_file') return omitted('file');
      return p.text ?? p.refusal ?? '';
    })
    .filter((text) => text !== '')
    .join('\n');
}

/** The freeform tool as a function: its grammar goes in the description, so the model can follow it. */
function customTool(entry: z.infer<typeof tool>, name: string): ToolSpec {
  const grammar =
    entry.format?.type === 'grammar' && entry.format.definition !== undefined
      ? `\n\nThe input follows this ${entry.format.syntax ?? ''} grammar:\n${entry.format.definition}`
      : '';
  return {
    name,
    description: `${entry.description ?? ''}${grammar}`,
    parameters: {
      type: 'object',
      properties: { input: { type: 'string', description: 'The raw input of the tool.' } },
      required: ['input'],
      additionalProperties: false,
    },
  };
}

function readTools(tools: Array<z.infer<typeof tool>>): { specs: ToolSpec[]; custom: Set<string> } {
  const specs: ToolSpec[] = [];
  const custom = new Set<string>();
  for (const entry of tools) {
    if (entry.name === undefined) continue;
    if (entry.type === 'function') {
      specs.push({
        name: entry.name,
        description: entry.description ?? '',
        parameters: entry.parameters ?? { type: 'object', properties: {} },
      });
    } else if (entry.type === 'custom') {
      specs.push(customTool(entry, entry.name));
      custom.add(entry.name);
    }
    // Hosted tools (web_search, file_search, …) run at OpenAI; no Warden model can run them.
  }
  return { specs, custom };
}

export function parseResponsesRequest(body: unknown): ResponsesRequest {
  const request = parseWith(requestSchema, body, 'POST /v1/responses');
  if (request.previous_response_id) {
    throw new WardenError('gateway.request', 'previous_response_id is not supported by the Warden gateway', {
      hint: 'send the whole conversation in "input" with store: false',
    });
  }
  const conversation = createConversation();
  if (request.instructions) conversation.system(request.instructions);
  const items =
    typeof request.input === 'string' ? [{ role: 'user', content: request.input }] : request.input;
  for (const entry of items) {
    const type = entry.type ?? 'message';
    switch (type) {
      case 'message': {
        const text = textOf(entry.content);
        if (entry.role === 'assistant') {
          if (text !== '') conversation.assistantText(text);
        } else if (entry.role === 'system' || entry.role === 'developer') conversation.system(text);
        else conversation.user(text);
        break;
      }
      case 'function_call':
        conversation.toolCall({
          id: entry.call_id ?? '',
          name: entry.name ?? '',
          input: entry.arguments ?? '',
        });
        break;
      case 'custom_tool_call':
        conversation.toolCall({
          id: entry.call_id ?? '',
          name: entry.name ?? '',
          input: JSON.stringify({ input: entry.input ?? '' }),
        });
        break;
      case 'function_call_output':
      case 'custom_tool_call_output':
        conversation.toolResult(entry.call_id ?? '', textOf(entry.output), false);
        break;
      default:
        // Reasoning items, hosted tool calls and references carry nothing another model can use.
        break;
    }
  }
  const { specs, custom } = readTools(request.tools ?? []);
  return {
    model: request.model,
    stream: request.stream === true,
    customTools: custom,
    turn: {
      ...conversation.build(),
      tools: specs,
      ...(request.max_output_tokens ? { maxOutputTokens: request.max_output_tokens } : {}),
    },
  };
}
