/**
 * What a model call that ended early costs. The provider bills a call the client closed (or that
 * failed mid-stream) for what it read and wrote, but never reports the usage of a stream cut
 * short; charging nothing would let a client read the answer and close the stream just before
 * the end, calling for free past any budget. So the key is charged an estimate: the request's
 * size at ~4 characters a token, and the text streamed so far.
 */
import { costOf } from '../models/prices.ts';
import type { ModelInfo, TurnRequest, Usage } from '../models/types.ts';

const CHARS_PER_TOKEN = 4;

export function estimatedUsage(request: TurnRequest, outputChars: number): Usage {
  const inputChars =
    request.system.length + JSON.stringify(request.messages).length + JSON.stringify(request.tools).length;
  return {
    inputTokens: Math.max(1, Math.ceil(inputChars / CHARS_PER_TOKEN)),
    outputTokens: Math.ceil(outputChars / CHARS_PER_TOKEN),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  };
}

/** The estimate and its price at the model's rates (undefined for a model without a price). */
export function estimatedCharge(
  request: TurnRequest,
  outputChars: number,
  info: ModelInfo,
): { usage: Usage; cost: number | undefined } {
  const usage = estimatedUsage(request, outputChars);
  return { usage, cost: costOf(usage, info.price) };
}
