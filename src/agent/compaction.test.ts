import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Message } from '../models/types.ts';
import { compact, estimateTokens } from './compaction.ts';

const big = (n: number) => 'x'.repeat(n);

function exchange(i: number, outputChars: number): Message[] {
  return [
    {
      role: 'assistant',
      text: `step ${i}`,
      toolCalls: [{ id: `c${i}`, name: 'shell', input: '{"command":"ls"}' }],
    },
    {
      role: 'tool',
      results: [{ callId: `c${i}`, toolName: 'shell', output: big(outputChars), isError: false }],
    },
  ];
}

test('old tool outputs are elided first, recent ones kept whole', () => {
  const messages: Message[] = [{ role: 'user', text: 'task' }];
  for (let i = 0; i < 6; i++) messages.push(...exchange(i, 4000));
  const before = estimateTokens('', messages);
  const result = compact('', messages, before - 1000, 'digest');
  assert.equal(result.messages.length, messages.length, 'elision alone was enough: nothing dropped');
  const outputs = result.messages.filter((m) => m.role === 'tool').map((m) => m.results[0]?.output ?? '');
  assert.match(outputs[0] ?? '', /elided to fit the context window \(4000 chars\)/);
  assert.equal(outputs.at(-1), big(4000));
  assert.equal(outputs.filter((o) => o === big(4000)).length, 3);
  assert.ok(result.tokensAfter < result.tokensBefore);
});

test('when elision is not enough the oldest exchanges go, the task and a digest stay', () => {
  const messages: Message[] = [{ role: 'user', text: 'the task' }];
  for (let i = 0; i < 10; i++) {
    messages.push({
      role: 'assistant',
      text: big(2000),
      toolCalls: [{ id: `c${i}`, name: 'shell', input: '{}' }],
    });
    messages.push({
      role: 'tool',
      results: [{ callId: `c${i}`, toolName: 'shell', output: 'ok', isError: false }],
    });
  }
  const result = compact('', messages, 2000, 'Files changed so far: a.js.');
  assert.deepEqual(result.messages[0], { role: 'user', text: 'the task' });
  const note = result.messages[1];
  assert.ok(note?.role === 'user' && note.text.includes('Files changed so far: a.js.'));
  assert.equal(
    result.messages[2]?.role,
    'assistant',
    'the kept tail never starts with orphaned tool results',
  );
  assert.ok(result.tokensAfter <= 2000);
  // Every tool result kept still has its call.
  const calls = new Set(
    result.messages.flatMap((m) => (m.role === 'assistant' ? m.toolCalls.map((c) => c.id) : [])),
  );
  for (const m of result.messages)
    if (m.role === 'tool') for (const r of m.results) assert.ok(calls.has(r.callId));
});

test('estimateTokens counts system, text, call arguments and outputs', () => {
  const messages: Message[] = [
    { role: 'user', text: big(40) },
    { role: 'assistant', text: big(40), toolCalls: [{ id: '1', name: 'ab', input: big(38) }] },
    { role: 'tool', results: [{ callId: '1', toolName: 'ab', output: big(40), isError: false }] },
  ];
  assert.equal(estimateTokens(big(40), messages), 50);
});

function readExchange(id: string, outputChars: number): Message[] {
  return [
    {
      role: 'assistant',
      text: '',
      toolCalls: [{ id, name: 'read_file', input: `{"path":"${id}.ts"}` }],
    },
    {
      role: 'tool',
      results: [{ callId: id, toolName: 'read_file', output: big(outputChars), isError: false }],
    },
  ];
}

const task: Message = { role: 'user', text: 'the task' };

const dropCases: { name: string; messages: Message[]; budget: number }[] = [
  {
    name: 'the last exchange alone exceeds the budget',
    messages: [task, ...readExchange('c1', 40_000), ...readExchange('c2', 40_000)],
    budget: 6000,
  },
  {
    name: 'one exchange with two calls whose outputs exceed the budget together',
    messages: [
      task,
      {
        role: 'assistant',
        text: 'reading both',
        toolCalls: [
          { id: 'a', name: 'read_file', input: '{"path":"a.ts"}' },
          { id: 'b', name: 'read_file', input: '{"path":"b.ts"}' },
        ],
      },
      {
        role: 'tool',
        results: [
          { callId: 'a', toolName: 'read_file', output: big(30_000), isError: false },
          { callId: 'b', toolName: 'read_file', output: big(500), isError: false },
        ],
      },
    ],
    budget: 1000,
  },
  {
    name: 'many small exchanges then a big one',
    messages: [
      task,
      ...Array.from({ length: 8 }, (_, i) => exchange(i, 3000)).flat(),
      ...readExchange('last', 50_000),
    ],
    budget: 3000,
  },
  {
    name: 'a steering user message between exchanges',
    messages: [
      task,
      ...readExchange('c1', 20_000),
      { role: 'user', text: 'also check the docs' },
      ...readExchange('c2', 20_000),
      ...readExchange('c3', 20_000),
    ],
    budget: 6000,
  },
  {
    name: 'the tail fits once the oldest exchanges are dropped',
    messages: [task, ...Array.from({ length: 12 }, (_, i) => exchange(i, 3000)).flat()],
    budget: 2400,
  },
];

for (const { name, messages, budget } of dropCases) {
  test(`dropping exchanges keeps calls and results paired: ${name}`, () => {
    const result = compact('system prompt', messages, budget, 'Files changed so far: none.');
    assert.deepEqual(result.messages[0], task, 'the task is always the first message');
    const note = result.messages[1];
    const dropped = note?.role === 'user' && note.text.startsWith('[Earlier turns');
    assert.notEqual(
      result.messages[dropped ? 2 : 1]?.role,
      'tool',
      'the kept tail never starts at tool results',
    );
    const callsSoFar = new Set<string>();
    for (const message of result.messages) {
      if (message.role === 'assistant') for (const call of message.toolCalls) callsSoFar.add(call.id);
      if (message.role === 'tool')
        for (const r of message.results)
          assert.ok(callsSoFar.has(r.callId), `result ${r.callId} has its call before it`);
    }
    assert.ok(
      result.tokensAfter <= budget,
      `tokensAfter ${result.tokensAfter} is within the budget ${budget}`,
    );
    assert.equal(result.tokensAfter, estimateTokens('system prompt', result.messages));
  });
}

test('when the last exchange alone is too big its outputs are elided, its call kept', () => {
  const messages = [task, ...readExchange('c1', 40_000), ...readExchange('c2', 40_000)];
  const result = compact('', messages, 6000, 'digest');
  const last = result.messages.at(-1);
  const call = result.messages.at(-2);
  assert.ok(call?.role === 'assistant' && call.toolCalls[0]?.id === 'c2');
  assert.ok(last?.role === 'tool');
  assert.match(last.results[0]?.output ?? '', /^\[output of read_file elided .*\(40000 chars\)/);
});

test('only as many outputs are elided as the budget needs, largest first', () => {
  const messages = dropCases[1]?.messages ?? [];
  const result = compact('', messages, 1000, 'digest');
  const last = result.messages.at(-1);
  assert.ok(last?.role === 'tool');
  assert.match(last.results[0]?.output ?? '', /elided .*\(30000 chars\)/);
  assert.equal(last.results[1]?.output, big(500));
});

test('a task larger than the budget still yields a paired conversation that starts with it', () => {
  const huge: Message = { role: 'user', text: big(40_000) };
  const result = compact('', [huge, ...readExchange('c1', 8000), ...readExchange('c2', 8000)], 1000, 'd');
  assert.deepEqual(result.messages[0], huge);
  assert.ok(result.messages[2]?.role === 'assistant' && result.messages[2].toolCalls[0]?.id === 'c2');
  assert.ok(result.tokensAfter > 1000, 'not achievable: the task alone is over the budget');
});
