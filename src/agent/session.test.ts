import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import type { Message, ModelClient, Turn, TurnRequest } from '../models/types.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';
import type { AnyTool } from '../tools/types.ts';
import { createEventStream } from './event-stream.ts';
import type { WardenEvent } from './events.ts';
import { runSession } from './session.ts';

type Reply = Partial<Turn> & { calls?: Array<[name: string, input: string]> };

/** A model that answers from a list and remembers what it was sent. */
function fakeModel(replies: Reply[], contextWindow = 100_000) {
  const requests: TurnRequest[] = [];
  const client: ModelClient = {
    info: {
      id: 'fake:model',
      provider: 'fake',
      model: 'model',
      contextWindow,
      price: { input: 1, output: 1 },
    },
    async turn(request) {
      requests.push(structuredClone({ ...request, signal: undefined }));
      const reply = replies[requests.length - 1] ?? { text: 'done' };
      if (reply instanceof Error) throw reply;
      return {
        text: reply.text ?? '',
        toolCalls: (reply.calls ?? []).map(([name, input], i) => ({
          id: `call-${requests.length}-${i}`,
          name,
          input,
        })),
        usage: reply.usage ?? { inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 },
        cost: reply.cost ?? 0.01,
        finishReason: reply.finishReason ?? ((reply.calls?.length ?? 0) > 0 ? 'tool-calls' : 'stop'),
        modelId: reply.modelId ?? 'fake:model',
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
    if (args.text === 'boom') throw new Error('exploded');
    return { output: `echo: ${args.text}` };
  },
};

async function run(replies: Reply[], extra: Partial<Parameters<typeof runSession>[0]> = {}) {
  const model = fakeModel(replies, extra.model?.info.contextWindow);
  const events: WardenEvent[] = [];
  const report = await runSession({
    task: 'do the thing',
    model: model.client,
    tools: [echo],
    workspace: {} as Workspace,
    sandbox: { kind: 'fake' } as Sandbox,
    system: 'system prompt',
    events: createEventStream('s-test', [(e) => events.push(e)]),
    ...extra,
  });
  return { report, events, requests: model.requests };
}

const lastToolMessage = (messages: Message[]) => messages.filter((m) => m.role === 'tool').at(-1);

test('nothing the model sends crashes the session: every bad call comes back as a tool error', async () => {
  const { report, requests, events } = await run([
    { calls: [['echo', '{"text": "hi"']] }, // invalid JSON
    { calls: [['echo', '{"text": 5}']] }, // wrong type
    { calls: [['no_such_tool', '{}']] },
    { calls: [['echo', '{"text": "boom"}']] }, // the tool throws
    { calls: [['echo', '{"text": "fine"}']] },
    { text: 'all done' },
  ]);
  assert.equal(report.status, 'finished');
  assert.equal(report.summary, 'all done');
  assert.equal(report.toolCalls, 5);
  assert.equal(report.toolErrors, 4);
  const results = requests.slice(1).map((r) => lastToolMessage(r.messages));
  const outputs = results.map((m) => (m?.role === 'tool' ? m.results[0] : undefined));
  assert.match(outputs[0]?.output ?? '', /invalid arguments for echo/);
  assert.equal(outputs[0]?.isError, true);
  assert.match(outputs[1]?.output ?? '', /text/);
  assert.match(outputs[2]?.output ?? '', /unknown tool "no_such_tool"; the tools are: echo/);
  assert.match(outputs[3]?.output ?? '', /echo failed: exploded/);
  assert.deepEqual(outputs[4], {
    callId: 'call-5-0',
    toolName: 'echo',
    output: 'echo: fine',
    isError: false,
  });
  const finished = events.filter((e) => e.type === 'tool.finished');
  assert.deepEqual(
    finished.map((e) => e.type === 'tool.finished' && e.ok),
    [false, false, false, false, true],
  );
  assert.equal(events.at(-1)?.type, 'session.finished');
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
    'sequence numbers are gap-free',
  );
});

test('the turn limit ends the session cleanly with a report', async () => {
  const loop: Reply = { calls: [['echo', '{"text":"again"}']] };
  const { report, events } = await run([loop, loop, loop, loop, loop], { limits: { maxTurns: 3 } });
  assert.equal(report.status, 'limit');
  assert.match(report.reason, /turn limit \(3 turns\)/);
  assert.equal(report.turns, 3);
  assert.ok(events.some((e) => e.type === 'limit.reached' && e.limit === 'turns'));
  assert.equal(events.at(-1)?.type, 'session.finished');
});

test('token and cost limits stop the session, usage and cost add up', async () => {
  const loop: Reply = { calls: [['echo', '{"text":"x"}']], cost: 0.4 };
  const byCost = await run([loop, loop, loop, loop], { limits: { maxCost: 1 } });
  assert.equal(byCost.report.status, 'limit');
  assert.match(byCost.report.reason, /cost limit/);
  assert.ok(Math.abs((byCost.report.cost ?? 0) - 1.2) < 1e-9);
  assert.equal(byCost.report.byModel['fake:model']?.turns, 3, 'spend is also kept per model');
  assert.equal(byCost.report.byModel['fake:model']?.usage.inputTokens, 300);
  const byTokens = await run([loop, loop, loop], { limits: { maxTokens: 200 } });
  assert.match(byTokens.report.reason, /token limit \(220 of 200\)/);
  assert.equal(byTokens.report.tokens.inputTokens, 200);
});

test('the wall-time limit interrupts a model call in flight', async () => {
  const slow: ModelClient = {
    info: { id: 'slow', provider: 'x', model: 'y', contextWindow: 1000, price: undefined },
    turn: (request) =>
      new Promise((_, reject) =>
        request.signal?.addEventListener('abort', () => reject(new Error('aborted'))),
      ),
  };
  const { report } = await run([], { model: slow, limits: { maxWallTimeMs: 50 } });
  assert.equal(report.status, 'limit');
  assert.match(report.reason, /wall-time limit/);
});

test('a model error after retries fails the session with the reason', async () => {
  const { report } = await run([new Error('503 from provider') as unknown as Reply]);
  assert.equal(report.status, 'failed');
  assert.match(report.reason, /model error: 503 from provider/);
});

test('calls in a reply cut off at the output limit are not run', async () => {
  const { report, requests, events } = await run([
    { calls: [['echo', '{"text":"partial']], finishReason: 'length' },
    { text: 'ok' },
  ]);
  assert.equal(report.toolErrors, 1);
  assert.deepEqual(
    events.filter((e) => e.type.startsWith('tool.')).map((e) => e.type),
    ['tool.requested', 'tool.finished'],
    'the skipped call is still in the record, and never started',
  );
  const result = lastToolMessage(requests[1]?.messages ?? []);
  assert.match(
    result?.role === 'tool' ? (result.results[0]?.output ?? '') : '',
    /cut off at the output limit/,
  );
});

test('cancellation ends the session as cancelled', async () => {
  const controller = new AbortController();
  controller.abort();
  const { report } = await run([{ text: 'never' }], { signal: controller.signal });
  assert.equal(report.status, 'cancelled');
});

test('a conversation that nears the window is compacted before the request', async () => {
  const big = 'y'.repeat(3000);
  const replies: Reply[] = [];
  for (let i = 0; i < 6; i++) replies.push({ calls: [['echo', JSON.stringify({ text: big })]] });
  const model = fakeModel(replies, 4000);
  const events: WardenEvent[] = [];
  await runSession({
    task: 'go',
    model: model.client,
    tools: [echo],
    workspace: {} as Workspace,
    sandbox: { kind: 'fake' } as Sandbox,
    system: 's',
    events: createEventStream('s', [(e) => events.push(e)]),
    limits: { maxTurns: 6 },
  });
  assert.ok(events.some((e) => e.type === 'context.compacted'));
  for (const request of model.requests) {
    assert.equal(
      request.messages[0]?.role === 'user' && request.messages[0].text,
      'go',
      'the task is always kept',
    );
  }
});

test('a resumed session continues the conversation; its report and limits are for this run', async () => {
  const history: Message[] = [
    { role: 'user', text: 'first task' },
    { role: 'assistant', text: 'did it', toolCalls: [] },
  ];
  const checkpoints: Array<{ usage: { inputTokens: number }; cost: number | undefined; turns: number }> = [];
  const { requests, report } = await run([{ text: 'second done' }], {
    history,
    spent: {
      turns: 1,
      usage: { inputTokens: 5_000_000, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 0 },
      cost: 25,
    },
    checkpoint: (state) => checkpoints.push(state),
  });
  assert.deepEqual(
    requests[0]?.messages.map((m) => (m.role === 'tool' ? 'tool' : m.text)),
    ['first task', 'did it', 'do the thing'],
  );
  // Earlier spend above the default limits does not stop this run.
  assert.equal(report.status, 'finished');
  assert.equal(report.tokens.inputTokens, 100);
  assert.ok(Math.abs((report.cost ?? 0) - 0.01) < 1e-9);
  // The checkpoint keeps the session's running totals.
  const last = checkpoints.at(-1);
  assert.equal(last?.usage.inputTokens, 5_000_100);
  assert.ok(Math.abs((last?.cost ?? 0) - 25.01) < 1e-9);
  assert.equal(last?.turns, 2);
});

test('when a fallback answers, tokens and cost are accounted to the model that answered', async () => {
  const { report } = await run([
    { calls: [['echo', '{"text":"a"}']], cost: 0.25 },
    { calls: [['echo', '{"text":"b"}']], modelId: 'fallback:model', cost: 0 },
    { text: 'done', modelId: 'fallback:model', cost: 0 },
  ]);
  assert.deepEqual(Object.keys(report.byModel).sort(), ['fake:model', 'fallback:model']);
  assert.equal(report.byModel['fallback:model']?.turns, 2);
  assert.equal(report.byModel['fake:model']?.cost, 0.25);
  assert.equal(report.tokens.inputTokens, 300);
});

test('a wall-time limit that fires during a command ends the session as a limit, not a success', async () => {
  const slowTool: AnyTool = {
    ...echo,
    name: 'slow',
    execute: (_args, context) =>
      new Promise((resolve) =>
        context.signal.addEventListener('abort', () => resolve({ output: 'killed', isError: true })),
      ),
  };
  const { report } = await run([{ calls: [['slow', '{"text":"x"}']] }, { text: 'finished?' }], {
    tools: [slowTool],
    limits: { maxWallTimeMs: 50 },
  });
  assert.equal(report.status, 'limit');
  assert.match(report.reason, /wall-time limit/);
});

test('events carry long arguments clipped, while the tool gets them whole', async () => {
  const long = 'z'.repeat(10_000);
  const { events, requests } = await run([
    { calls: [['echo', JSON.stringify({ text: long })]] },
    { text: 'ok' },
  ]);
  const requested = events.find((e) => e.type === 'tool.requested');
  const text = requested?.type === 'tool.requested' ? (requested.args as { text: string }).text : '';
  assert.ok(text.length < 4100 && text.endsWith('[10000 chars]'));
  const result = lastToolMessage(requests[1]?.messages ?? []);
  assert.equal(result?.role === 'tool' && result.results[0]?.output, `echo: ${long}`);
});

test('an effect whose intent cannot be recorded does not happen, and the session stops', async () => {
  let executed = 0;
  const counting: AnyTool = {
    ...echo,
    async execute() {
      executed += 1;
      return { output: 'ran' };
    },
  };
  let allowWrites = 1; // the first model request's intent is written; the tool's is not
  const { report, events } = await run([{ calls: [['echo', '{"text":"x"}']] }, { text: 'never' }], {
    tools: [counting],
    recordIntent: async () => {
      if (allowWrites-- <= 0) throw new Error('disk full');
    },
  });
  assert.equal(executed, 0);
  assert.equal(report.status, 'failed');
  assert.equal(report.error?.code, 'audit.write');
  assert.ok(events.some((e) => e.type === 'tool.finished' && /intent could not be recorded/.test(e.output)));

  const blocked = await run([{ text: 'never asked' }], {
    recordIntent: async () => {
      throw new Error('read-only file system');
    },
  });
  assert.equal(blocked.report.status, 'failed');
  assert.equal(blocked.requests.length, 0, 'no model call without its record');
});
