import type { Redactor } from '../guard/redactor.ts';
import type { Message, TurnRequest } from '../models/types.ts';

/**
 * Everything a request would send upstream, redacted: the system prompt, every message's text,
 * every tool call's arguments and every tool result. Tool schemas are the client's own code,
 * not data it read, and stay as they are. This is the direction that matters (issue 5): what
 * reaches the provider may be retained there, and a wrapped agent's tool results are exactly
 * where `.env` files and `printenv` output turn up.
 */
export function redactTurnRequest<T extends Omit<TurnRequest, 'signal'>>(request: T, redactor: Redactor): T {
  const redact = (text: string) => redactor.redact(text);
  const messages: Message[] = request.messages.map((message) => {
    if (message.role === 'user') return { role: 'user', text: redact(message.text) };
    if (message.role === 'assistant') {
      return {
        role: 'assistant',
        text: redact(message.text),
        toolCalls: message.toolCalls.map((call) => ({ ...call, input: redact(call.input) })),
      };
    }
    return {
      role: 'tool',
      results: message.results.map((result) => ({ ...result, output: redact(result.output) })),
    };
  });
  return { ...request, system: redact(request.system), messages };
}
