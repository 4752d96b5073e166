import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4Prompt,
  LanguageModelV4StreamPart,
  LanguageModelV4Usage,
} from '@ai-sdk/provider';
import { APICallError } from '@ai-sdk/provider';
import { z } from 'zod';
import { fileProblem, WardenError } from '../errors.ts';

const callSchema = z
  .strictObject({
    tool: z.string().min(1),
    args: z.record(z.string(), z.unknown()).optional(),
    /** Sent verbatim as the arguments string: malformed JSON for red-team drills. */
    raw_args: z.string().optional(),
  })
  .refine((call) => (call.args === undefined) !== (call.raw_args === undefined), {
    message: 'give exactly one of "args" or "raw_args"',
  });

const turnSchema = z.strictObject({
  text: z.string().optional(),
  calls: z.array(callSchema).optional(),
  /** Instead of answering, fail like a provider would (429, 500, 401, …). */
  error: z
    .strictObject({
      status: z.number().int().min(400).max(599),
      message: z.string().optional(),
      /** Seconds, sent as the `retry-after` header. */
      retry_after: z.number().nonnegative().optional(),
    })
    .optional(),
});

export const scriptSchema = z.strictObject({ turns: z.array(turnSchema) });
export type Script = z.infer<typeof scriptSchema>;

function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`),
    '$',
  );
}

/** Read and check a script file; every problem names the file and the JSON path. */
export function loadScript(file: string): Script {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new WardenError('model.script', `cannot read the script: the file ${fileProblem(error)}`, {
      where: file,
      hint: 'script:FILE names a JSON file of turns (see demo/fix-sum.json)',
      cause: error,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new WardenError('model.script', `not valid JSON: ${(error as Error).message}`, { where: file });
  }
  const parsed = scriptSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  throw new WardenError('model.script', `${jsonPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}`, {
    where: file,
    hint: 'a script is { "turns": [ { "text"?, "calls"?: [ { "tool", "args" | "raw_args" } ], "error"? } ] }',
  });
}

/** About four characters a token: good enough for budgets and compaction in drills. */
function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

function promptChars(prompt: LanguageModelV4Prompt, tools: LanguageModelV4CallOptions['tools']): number {
  let chars = tools === undefined ? 0 : JSON.stringify(tools).length;
  for (const message of prompt) {
    if (typeof message.content === 'string') {
      chars += message.content.length;
      continue;
    }
    for (const part of message.content) {
      if (part.type === 'text') chars += part.text.length;
      else if (part.type === 'tool-call')
        chars += part.toolName.length + JSON.stringify(part.input ?? {}).length;
      else if (part.type === 'tool-result') chars += JSON.stringify(part.output).length;
    }
  }
  return chars;
}

function usage(input: number, output: number): LanguageModelV4Usage {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
    outputTokens: { total: output, text: output, reasoning: 0 },
  };
}

/**
 * The `script:<file>` model: a real LanguageModelV4, so a drill goes through exactly the client
 * path a provider does (retries, usage, cost, events). Call n of `doStream` answers with turn
 * n — an error turn counts, so a retry after a scripted 429 gets the next turn — and once the
 * turns are used up it answers with empty text and `stop`, which ends the session.
 */
export function createScriptedModel(file: string, options: { baseDir: string }): LanguageModelV4 {
  const path = resolve(options.baseDir, file);
  const script = loadScript(path);
  let next = 0;

  return {
    specificationVersion: 'v4',
    provider: 'script',
    modelId: file,
    supportedUrls: {},
    async doGenerate() {
      throw new WardenError('model.script', 'the scripted model only streams', { where: path });
    },
    async doStream(callOptions) {
      const index = next++;
      const turn = script.turns[index] ?? {};
      if (turn.error !== undefined) {
        throw new APICallError({
          message: turn.error.message ?? `scripted error ${turn.error.status}`,
          url: `script:${file}`,
          requestBodyValues: {},
          statusCode: turn.error.status,
          responseHeaders:
            turn.error.retry_after === undefined ? {} : { 'retry-after': String(turn.error.retry_after) },
        });
      }
      const parts: LanguageModelV4StreamPart[] = [{ type: 'stream-start', warnings: [] }];
      const text = turn.text ?? '';
      if (text !== '') {
        const id = `text-${index + 1}`;
        parts.push({ type: 'text-start', id });
        // Several deltas, like a real stream, so live views and delta handling get exercised.
        for (const piece of text.match(/[\s\S]{1,24}/g) ?? [])
          parts.push({ type: 'text-delta', id, delta: piece });
        parts.push({ type: 'text-end', id });
      }
      let replyChars = text.length;
      const calls = turn.calls ?? [];
      calls.forEach((call, callIndex) => {
        const input = call.raw_args ?? JSON.stringify(call.args ?? {});
        replyChars += call.tool.length + input.length;
        parts.push({
          type: 'tool-call',
          toolCallId: `script-${index + 1}-${callIndex + 1}`,
          toolName: call.tool,
          input,
        });
      });
      parts.push({
        type: 'finish',
        finishReason:
          calls.length > 0 ? { unified: 'tool-calls', raw: 'tool_calls' } : { unified: 'stop', raw: 'stop' },
        usage: usage(
          estimateTokens(promptChars(callOptions.prompt, callOptions.tools)),
          estimateTokens(replyChars),
        ),
      });
      return {
        stream: new ReadableStream<LanguageModelV4StreamPart>({
          start(controller) {
            for (const part of parts) controller.enqueue(part);
            controller.close();
          },
        }),
      };
    },
  };
}
