import type { Message, ToolCallResult } from '../models/types.ts';

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
 * not enough, the oldest exchanges are dropped behind a note, and if even the last exchange is too
 * big its outputs are elided too. The task (first message) always stays, and a tool result is never
 * separated from the call that asked for it.
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

function elidedStub(result: ToolCallResult): string {
  return `[output of ${result.toolName} elided to fit the context window (${result.output.length} chars); run it again if you need it]`;
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
        result.output.length < ELIDED_MIN_CHARS ? result : { ...result, output: elidedStub(result) },
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
  if (!task || rest.length === 0) return messages;
  const note: Message = {
    role: 'user',
    text: `[Earlier turns of this session were removed to fit the context window. ${digest}]`,
  };
  // A kept tail must begin at an assistant turn or a user message: providers reject a tool result
  // whose call is not in the conversation (a 400), and a call always precedes its results.
  const starts = rest.flatMap((message, i) => (message.role !== 'tool' ? [i] : []));
  for (const start of starts) {
    if (start === 0) continue; // nothing dropped: the whole conversation is already over budget
    const candidate = [task, note, ...rest.slice(start)];
    if (estimateTokens(system, candidate) <= budgetTokens) return candidate;
  }
  const smallest = starts.at(-1);
  if (smallest === undefined) return [task, note];
  const tail = smallest === 0 ? [task, ...rest] : [task, note, ...rest.slice(smallest)];
  return elideUntilWithin(system, tail, budgetTokens);
}

/**
 * Even the last exchange alone is over the budget (say two whole-file reads): elide its outputs,
 * largest first, until the budget is met, so the call stays and the model can ask again with a range.
 */
function elideUntilWithin(system: string, messages: Message[], budgetTokens: number): Message[] {
  const out = [...messages];
  const outputs = out.flatMap((message, m) =>
    message.role === 'tool'
      ? message.results.map((result, r) => ({ m, r, length: result.output.length }))
      : [],
  );
  outputs.sort((a, b) => b.length - a.length);
  for (const { m, r } of outputs) {
    if (estimateTokens(system, out) <= budgetTokens) break;
    const message = out[m];
    const result = message?.role === 'tool' ? message.results[r] : undefined;
    if (message?.role !== 'tool' || !result) continue;
    const stub = elidedStub(result);
    if (stub.length >= result.output.length) continue;
    const results = [...message.results];
    results[r] = { ...result, output: stub };
    out[m] = { role: 'tool', results };
  }
  return out;
}
