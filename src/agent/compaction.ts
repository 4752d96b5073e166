import type { Message } from '../models/types.ts';

/** Compact when the conversation is estimated to fill this share of the model's window. */
export const COMPACTION_THRESHOLD = 0.75;
/** Tool results of this many most recent tool messages are always kept whole. */
const RECENT_TOOL_MESSAGES = 3;
const ELIDED_MIN_CHARS = 400;

/** A provider-independent estimate: about four characters a token for code and English. */
export function estimateTokens(system: string, messages: Message[]): number {
  let chars = system.length;
  for (const message of messages) {
    if (message.role === 'user') chars += message.text.length;
    else if (message.role === 'assistant')
      chars +=
        message.text.length +
        message.toolCalls.reduce((n, call) => n + call.input.length + call.name.length, 0);
    else chars += message.results.reduce((n, result) => n + result.output.length, 0);
  }
  return Math.ceil(chars / 4);
}

export interface Compaction {
  messages: Message[];
  tokensBefore: number;
  tokensAfter: number;
}

/**
 * Shrinks the conversation without a model call, so it is deterministic and costs nothing: first
 * old tool outputs are elided (the model can re-read a file or re-run a command), then, if that is
 * not enough, the oldest exchanges are dropped behind a note. The task (first message) always stays,
 * and a tool result is never separated from the call that asked for it.
 */
export function compact(
  system: string,
  messages: Message[],
  budgetTokens: number,
  digest: string,
): Compaction {
  const tokensBefore = estimateTokens(system, messages);
  let out = elideOldToolOutputs(messages);
  if (estimateTokens(system, out) > budgetTokens)
    out = dropOldestExchanges(system, out, budgetTokens, digest);
  return { messages: out, tokensBefore, tokensAfter: estimateTokens(system, out) };
}

function elideOldToolOutputs(messages: Message[]): Message[] {
  let toolMessagesSeen = 0;
  const out = [...messages];
  for (let i = out.length - 1; i >= 0; i--) {
    const message = out[i];
    if (message?.role !== 'tool') continue;
    toolMessagesSeen += 1;
    if (toolMessagesSeen <= RECENT_TOOL_MESSAGES) continue;
    out[i] = {
      role: 'tool',
      results: message.results.map((result) =>
        result.output.length < ELIDED_MIN_CHARS
          ? result
          : {
              ...result,
              output: `[output of ${result.toolName} elided to fit the context window (${result.output.length} chars); run it again if you need it]`,
            },
      ),
    };
  }
  return out;
}

function dropOldestExchanges(
  system: string,
  messages: Message[],
  budgetTokens: number,
  digest: string,
): Message[] {
  const [task, ...rest] = messages;
  if (!task) return messages;
  const note: Message = {
    role: 'user',
    text: `[Earlier turns of this session were removed to fit the context window. ${digest}]`,
  };
  let start = 0;
  while (start < rest.length - 1) {
    start += 1;
    // A kept tail must begin at an assistant turn or a user message, never at orphaned tool results.
    while (start < rest.length - 1 && rest[start]?.role === 'tool') start += 1;
    const candidate = [task, note, ...rest.slice(start)];
    if (estimateTokens(system, candidate) <= budgetTokens) return candidate;
  }
  return [task, note, ...rest.slice(start)];
}
