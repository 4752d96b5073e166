import type {
  LanguageModelV4FunctionTool,
  LanguageModelV4Message,
  LanguageModelV4Prompt,
  LanguageModelV4ToolCallPart,
} from '@ai-sdk/provider';
import type { Message, ToolSpec } from './types.ts';

/**
 * The stored arguments of a past tool call, as the object the prompt format wants. Stored input
 * is what the model sent, possibly not JSON or not an object; it becomes `{}` then, because
 * every provider needs an object there (Anthropic rejects anything else outright) and the
 * tool's result for that call already tells the model its arguments did not parse.
 */
export function toolCallInput(raw: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/** Warden's conversation in the AI SDK's provider-neutral prompt format, system first. */
export function toPrompt(system: string, messages: Message[]): LanguageModelV4Prompt {
  const prompt: LanguageModelV4Prompt = [];
  if (system !== '') prompt.push({ role: 'system', content: system });
  for (const message of messages) {
    const converted = toMessage(message);
    if (converted !== undefined) prompt.push(converted);
  }
  return prompt;
}

function toMessage(message: Message): LanguageModelV4Message | undefined {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: [{ type: 'text', text: message.text }] };
    case 'assistant': {
      const calls: LanguageModelV4ToolCallPart[] = message.toolCalls.map((call) => ({
        type: 'tool-call',
        toolCallId: call.id,
        toolName: call.name,
        input: toolCallInput(call.input),
      }));
      // Providers reject empty text blocks, and an assistant message with nothing in it.
      const text = message.text === '' ? [] : [{ type: 'text' as const, text: message.text }];
      if (text.length === 0 && calls.length === 0) return undefined;
      return { role: 'assistant', content: [...text, ...calls] };
    }
    case 'tool':
      if (message.results.length === 0) return undefined;
      return {
        role: 'tool',
        content: message.results.map((result) => ({
          type: 'tool-result',
          toolCallId: result.callId,
          toolName: result.toolName,
          output: { type: result.isError ? 'error-text' : 'text', value: result.output },
        })),
      };
  }
}

export function toTools(tools: ToolSpec[]): LanguageModelV4FunctionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    inputSchema: tool.parameters,
  }));
}
