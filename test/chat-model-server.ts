/**
 * A model that is a real server: OpenAI chat completions (streamed) on 127.0.0.1, answering each
 * request with the next scripted turn and keeping every request body. Tests that must prove what
 * the model was sent — not what Warden says it sent — use it as `compat:<name>/<model>` through a
 * user config that points at it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LoopbackServer, sseReply, startLoopbackServer } from '../src/models/testing/sse-server.ts';

export interface ChatTurn {
  text?: string;
  calls?: Array<{ tool: string; args: Record<string, unknown> }>;
}

export interface ChatModelServer {
  server: LoopbackServer;
  /** Every request body as sent, in order. */
  bodies(): string[];
  /** Writes `warden/warden.config.yaml` under `configHome` naming this server `compat:scripted`. */
  writeUserConfig(configHome: string, extra?: string): Promise<void>;
  modelId: string;
  close(): Promise<void>;
}

export async function startChatModelServer(turns: ChatTurn[]): Promise<ChatModelServer> {
  const server = await startLoopbackServer((_request, index) =>
    turnReply(turns[index] ?? { text: 'done' }, index),
  );
  return {
    server,
    bodies: () => server.requests.map((request) => request.body),
    modelId: 'compat:scripted/test-model',
    async writeUserConfig(configHome, extra = '') {
      await mkdir(join(configHome, 'warden'), { recursive: true });
      await writeFile(
        join(configHome, 'warden', 'warden.config.yaml'),
        `providers:\n  compat:\n    scripted: { base_url: "${server.url}/v1" }\n${extra}`,
      );
    },
    close: () => server.close(),
  };
}

function turnReply(turn: ChatTurn, index: number) {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
    data: {
      id: `chatcmpl-${index}`,
      object: 'chat.completion.chunk',
      created: 1_750_000_000,
      model: 'test-model',
      choices: [{ index: 0, delta, finish_reason: finish }],
    },
  });
  const calls = turn.calls ?? [];
  return sseReply([
    chunk({ role: 'assistant', content: turn.text ?? '' }),
    ...calls.map((call, i) =>
      chunk({
        tool_calls: [
          {
            index: i,
            id: `call_${index}_${i}`,
            type: 'function',
            function: { name: call.tool, arguments: JSON.stringify(call.args) },
          },
        ],
      }),
    ),
    chunk({}, calls.length > 0 ? 'tool_calls' : 'stop'),
    {
      data: {
        id: `chatcmpl-${index}`,
        object: 'chat.completion.chunk',
        created: 1_750_000_000,
        model: 'test-model',
        choices: [],
        usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
      },
    },
    { data: '[DONE]' },
  ]);
}
