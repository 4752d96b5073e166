import type { LanguageModelV4StreamPart, LanguageModelV4Usage } from '@ai-sdk/provider';
import { WardenError } from '../errors.ts';
import type { FinishReason, ToolCall, Usage } from './types.ts';

export interface StreamedTurn {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  finishReason: FinishReason;
}

/** The SDK's usage in ours: unknown counts are 0, and input counts every prompt token, cached ones too. */
export function toUsage(usage: LanguageModelV4Usage | undefined): Usage {
  return {
    inputTokens: usage?.inputTokens.total ?? 0,
    outputTokens: usage?.outputTokens.total ?? 0,
    cacheReadTokens: usage?.inputTokens.cacheRead ?? 0,
    cacheWriteTokens: usage?.inputTokens.cacheWrite ?? 0,
  };
}

function interrupted(why: string): WardenError {
  // A retryable code: the answer is incomplete, and a fresh attempt may well complete it.
  return new WardenError('model.interrupted', why);
}

/**
 * Read one turn's stream to the end. Text deltas go to `onText` as they arrive; tool calls keep
 * their input exactly as the model sent it (the tools layer parses and judges it). An `error`
 * part, or a stream that ends without finishing, fails the turn: a half answer is not an answer.
 */
export async function readTurnStream(
  stream: ReadableStream<LanguageModelV4StreamPart>,
  onText: (delta: string) => void,
  /** Called on every part, whatever it is: a sign of life for a stall watchdog. */
  onPart: () => void = () => {},
): Promise<StreamedTurn> {
  let text = '';
  const toolCalls: ToolCall[] = [];
  let finish: Extract<LanguageModelV4StreamPart, { type: 'finish' }> | undefined;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value: part } = await reader.read();
      if (done) break;
      onPart();
      switch (part.type) {
        case 'text-delta':
          if (part.delta === '') break;
          text += part.delta;
          onText(part.delta);
          break;
        case 'tool-call':
          // Provider-executed tools (web search and the like) were already run by the provider.
          if (part.providerExecuted !== true) {
            toolCalls.push({ id: part.toolCallId, name: part.toolName, input: part.input });
          }
          break;
        case 'finish':
          finish = part;
          break;
        case 'error':
          throw part.error;
        default:
          // Reasoning, sources, metadata and input deltas add nothing to the stored turn.
          break;
      }
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }

  if (finish === undefined) throw interrupted('the stream ended before the model finished its answer');
  const unified = finish.finishReason.unified;
  if (unified === 'interrupted' || unified === 'error') {
    throw interrupted(`the model's answer was cut off (${finish.finishReason.raw ?? unified})`);
  }
  // Some OpenAI-compatible servers say `stop` while calling tools; the calls are what count.
  const finishReason: FinishReason = toolCalls.length > 0 && unified === 'stop' ? 'tool-calls' : unified;
  return { text, toolCalls, usage: toUsage(finish.usage), finishReason };
}
