import type { Message, ToolCall } from '../models/types.ts';

/**
 * Builds Warden's conversation from a vendor's message list, whatever order the vendor puts
 * things in: assistant text and the tool calls after it become one assistant message, results
 * in a row become one tool message, and a result learns its tool's name from the call it
 * answers (Warden's format carries it; Anthropic's and OpenAI's results do not).
 */
export interface ConversationBuilder {
  /**
   * System or developer text. Warden's request has one system prompt, so such text joins it
   * until the model has answered once; after that it is context for the next answer, and
   * becomes user text in its place (providers take system text only at the head).
   */
  system(text: string): void;
  user(text: string): void;
  assistantText(text: string): void;
  toolCall(call: ToolCall): void;
  toolResult(callId: string, output: string, isError: boolean): void;
  build(): { system: string; messages: Message[] };
}

export function createConversation(): ConversationBuilder {
  const system: string[] = [];
  const messages: Message[] = [];
  const toolNames = new Map<string, string>();

  const last = () => messages.at(-1);
  return {
    system(text) {
      if (text === '') return;
      if (!messages.some((message) => message.role !== 'user')) system.push(text);
      else messages.push({ role: 'user', text });
    },
    user(text) {
      messages.push({ role: 'user', text });
    },
    assistantText(text) {
      const previous = last();
      if (previous?.role === 'assistant' && previous.toolCalls.length === 0) {
        previous.text = previous.text === '' ? text : `${previous.text}\n\n${text}`;
      } else {
        messages.push({ role: 'assistant', text, toolCalls: [] });
      }
    },
    toolCall(call) {
      toolNames.set(call.id, call.name);
      const previous = last();
      if (previous?.role === 'assistant') previous.toolCalls.push(call);
      else messages.push({ role: 'assistant', text: '', toolCalls: [call] });
    },
    toolResult(callId, output, isError) {
      const result = { callId, toolName: toolNames.get(callId) ?? 'unknown', output, isError };
      const previous = last();
      if (previous?.role === 'tool') previous.results.push(result);
      else messages.push({ role: 'tool', results: [result] });
    },
    build: () => ({ system: system.join('\n\n'), messages }),
  };
}

/** Parts Warden's conversation cannot carry (images, files) leave a note, so the model knows. */
export function omitted(kind: string): string {
  return `[${kind} omitted by the Warden gateway]`;
}
