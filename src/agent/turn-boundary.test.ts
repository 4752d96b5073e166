import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import type { ModelClient, TurnRequest } from '../models/types.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';
import type { AnyTool } from '../tools/types.ts';
import { createEventStream } from './event-stream.ts';
import type { WardenEvent } from './events.ts';
import { runSession, type SessionOptions } from './session.ts';

/** A model that calls `echo` for `turns` turns, then answers; it keeps every request it got. */
function loopingModel(turns: number) {
  const requests: TurnRequest[] = [];
  const client: ModelClient = {
    info: { id: 'fake:model', provider: 'fake', model: 'model', contextWindow: 100_000, price: undefined },
    async turn(request) {
      requests.push(structuredClone({ ...request, signal: undefined }));
      const n = requests.length;
      return {
        text: n > turns ? 'done' : '',
        toolCalls: n > turns ? [] : [{ id: `call-${n}`, name: 'echo', input: '{"text":"x"}' }],
        usage: { inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 },
        cost: undefined,
        finishReason: n > turns ? 'stop' : 'tool-calls',
        modelId: 'fake:model',
        attempts: 1,
      };
    },
  };
  return { client, requests };
}

const echo: AnyTool = {
  name: 'echo',
  description: 'echoes',
  schema: z.object({ text: z.string() }).strict(),
  async execute(args: { text: string }) {
    return { output: `echo: ${args.text}` };
  },
};

async function run(turns: number, hooks: Pick<SessionOptions, 'steering' | 'stopBefore' | 'redact'>) {
  const model = loopingModel(turns);
  const events: WardenEvent[] = [];
  const report = await runSession({
    task: 'do the thing',
    model: model.client,
    tools: [echo],
    workspace: {} as Workspace,
    sandbox: { kind: 'fake' } as Sandbox,
    system: 'system',
    events: createEventStream('s-test', [(e) => events.push(e)]),
    ...hooks,
  });
  return { report, events, requests: model.requests };
}

test('a steering message is recorded as an event and carried by the very next model request', async () => {
  const inbox = [[], [{ text: 'use tabs, not spaces', from: 'u-alice' }]];
  const { report, events, requests } = await run(2, { steering: async () => inbox.shift() ?? [] });
  assert.equal(report.status, 'finished');
  const steered = events.find((e) => e.type === 'user.message');
  assert.deepEqual(steered && { text: steered.text, from: steered.from }, {
    text: 'use tabs, not spaces',
    from: 'u-alice',
  });
  assert.equal(
    requests[0]?.messages.some((m) => m.role === 'user' && m.text === 'use tabs, not spaces'),
    false,
  );
  assert.deepEqual(requests[1]?.messages.at(-1), { role: 'user', text: 'use tabs, not spaces' });
  const request = events.findIndex((e) => e.type === 'model.request' && e.turn === 2);
  assert.ok(events.findIndex((e) => e.type === 'user.message') < request, 'recorded before the request');
});

test('steering text passes the redactor before the model or any event sees it', async () => {
  const inbox = [[{ text: 'the key is sk-SECRET', from: 'u' }]];
  const { events, requests } = await run(0, {
    steering: async () => inbox.shift() ?? [],
    redact: (text) => text.replace('sk-SECRET', '[REDACTED]'),
  });
  assert.ok(!JSON.stringify(events).includes('sk-SECRET'));
  assert.ok(!JSON.stringify(requests).includes('sk-SECRET'));
});

test('stopBefore ends the session at a turn boundary with the status and error it names', async () => {
  let asked = 0;
  const { report, requests, events } = await run(10, {
    stopBefore: async () =>
      ++asked === 3
        ? {
            status: 'failed',
            reason: 'team budget spent',
            error: { code: 'budget.exhausted', message: 'team budget spent' },
          }
        : undefined,
  });
  assert.equal(report.status, 'failed');
  assert.equal(report.error?.code, 'budget.exhausted');
  assert.equal(requests.length, 2, 'no model request after the stop');
  assert.equal(events.at(-1)?.type, 'session.finished');
});

test('a failing hook ends the session failed instead of running on unsteered', async () => {
  const { report } = await run(3, {
    steering: async () => {
      throw new Error('database is locked');
    },
  });
  assert.equal(report.status, 'failed');
  assert.match(report.reason, /steering messages could not be read: database is locked/);
});
