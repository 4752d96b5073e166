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
