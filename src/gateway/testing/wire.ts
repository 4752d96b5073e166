/** Reading the gateway's answers in tests: SSE text to events, and a sample turn. */
import type { Turn } from '../../models/types.ts';

/** Wire JSON as tests read it: deep property access on what the gateway sent. */
// biome-ignore lint/suspicious/noExplicitAny: tests assert on arbitrary wire JSON; a wrong path fails the assertion
export type Json = any;

export interface SseMessage {
  event: string | undefined;
  /** Parsed JSON, or the raw text when it is not JSON (`[DONE]`). */
  data: Json;
}

/** Split an SSE body into events; comments (`: keepalive`) are dropped, as clients do. */
export function parseSse(text: string): SseMessage[] {
  const out: SseMessage[] = [];
  for (const block of text.split(/\n\n+/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length === 0) continue;
    const raw = data.join('\n');
    let parsed: unknown = raw;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // `[DONE]` and other plain text stay text
    }
    out.push({ event, data: parsed });
  }
  return out;
}

export function sampleTurn(overrides: Partial<Turn> = {}): Turn {
  return {
    text: 'Looking at the test.',
    toolCalls: [{ id: 'call_1', name: 'read_file', input: '{"path":"src/sum.js"}' }],
    usage: { inputTokens: 1200, outputTokens: 80, cacheReadTokens: 200, cacheWriteTokens: 0 },
    cost: 0.0023,
    finishReason: 'tool-calls',
    modelId: 'script:fix.json',
    attempts: 1,
    ...overrides,
  };
}

export const META = { id: 'resp_abc123', model: 'gpt-5-codex', created: 1_750_000_000 };

/** A response body as wire JSON. */
export async function readJson(response: Response): Promise<Json> {
  return response.json();
}
