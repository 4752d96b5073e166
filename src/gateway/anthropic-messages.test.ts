import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messagesDialect } from './anthropic-messages.ts';
import { estimateInputTokens } from './anthropic-messages-request.ts';
import { type Json, META, parseSse, sampleTurn } from './testing/wire.ts';

const TOOL = { name: 'read_file', description: 'Read a file', input_schema: { type: 'object' } };

describe('Anthropic Messages requests', () => {
  it('reads system blocks, tool_use and tool_result across turns, errors included', () => {
    const parsed = messagesDialect.parse({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 1024,
      stream: true,
      system: [
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Be careful.' },
      ],
      tools: [TOOL, { type: 'web_search_20250305', name: 'web_search', max_uses: 5 }],
      messages: [
        { role: 'user', content: 'Fix the test.' },
        { role: 'system', content: [{ type: 'text', text: '# Environment' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 's' },
            { type: 'text', text: 'Reading.' },
            { type: 'tool_use', id: 'toolu_1', name: 'read_file', input: { path: 'a.js' } },
            { type: 'tool_use', id: 'toolu_2', name: 'read_file', input: { path: 'missing.js' } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'toolu_1',
              content: [{ type: 'text', text: 'const a = 1;' }],
            },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'ENOENT', is_error: true },
            { type: 'text', text: 'Now fix it.' },
          ],
        },
      ],
    });
    assert.equal(parsed.model, 'claude-sonnet-4-5-20250929');
    assert.deepEqual(parsed.turn, {
      system: 'You are Claude Code.\nBe careful.\n\n# Environment',
      messages: [
        { role: 'user', text: 'Fix the test.' },
        {
          role: 'assistant',
          text: 'Reading.',
          toolCalls: [
            { id: 'toolu_1', name: 'read_file', input: '{"path":"a.js"}' },
            { id: 'toolu_2', name: 'read_file', input: '{"path":"missing.js"}' },
          ],
        },
        {
          role: 'tool',
          results: [
            { callId: 'toolu_1', toolName: 'read_file', output: 'const a = 1;', isError: false },
            { callId: 'toolu_2', toolName: 'read_file', output: 'ENOENT', isError: true },
          ],
        },
        { role: 'user', text: 'Now fix it.' },
      ],
      tools: [{ name: 'read_file', description: 'Read a file', parameters: { type: 'object' } }],
      maxOutputTokens: 1024,
    });
  });

  it('rejects a malformed request, naming the field', () => {
    assert.throws(
      () => messagesDialect.parse({ model: 'x', messages: 'hi' }),
      /POST \/v1\/messages: messages: /,
    );
  });

  it('estimates input tokens for count_tokens from what the model would read', () => {
    const small = estimateInputTokens({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    const large = estimateInputTokens({
      model: 'x',
      messages: [{ role: 'user', content: 'x'.repeat(4000) }],
      tools: [TOOL],
    });
    assert.ok(small >= 1 && small < 20, `small: ${small}`);
    assert.ok(large > 1000 && large < 1100, `large: ${large}`);
  });
});

describe('Anthropic Messages streams', () => {
  const parsed = messagesDialect.parse({
    model: 'claude-x',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
  });

  it('streams message_start, a text block, a tool_use block with input_json_delta, then stop reason and usage', () => {
    const encoder = messagesDialect.encoder(parsed, { ...META, id: 'msg_1' });
    const events = parseSse(
      encoder.open() + encoder.text('Looking ') + encoder.text('now.') + encoder.finish(sampleTurn()),
    );
    assert.deepEqual(
      events.map((e) => [e.event, e.data.index ?? null]),
      [
        ['message_start', null],
        ['content_block_start', 0],
        ['content_block_delta', 0],
        ['content_block_delta', 0],
        ['content_block_stop', 0],
        ['content_block_start', 1],
        ['content_block_delta', 1],
        ['content_block_stop', 1],
        ['message_delta', null],
        ['message_stop', null],
      ],
    );
    assert.ok(events.every((e) => e.data.type === e.event));
    assert.equal(events[0]?.data.message.id, 'msg_1');
    assert.deepEqual(events[5]?.data.content_block, {
      type: 'tool_use',
      id: 'call_1',
      name: 'read_file',
      input: {},
    });
    assert.deepEqual(events[6]?.data.delta, {
      type: 'input_json_delta',
      partial_json: '{"path":"src/sum.js"}',
    });
    assert.deepEqual(events[8]?.data, {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 1000,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 200,
        output_tokens: 80,
      },
    });
  });

  it('maps finish reasons to stop reasons', () => {
    const stopOf = (finishReason: 'stop' | 'length') =>
      parseSse(
        messagesDialect.encoder(parsed, META).finish(sampleTurn({ toolCalls: [], finishReason })),
      ).find((e) => e.event === 'message_delta')?.data.delta.stop_reason;
    assert.equal(stopOf('stop'), 'end_turn');
    assert.equal(stopOf('length'), 'max_tokens');
  });

  it('a failure mid-stream closes the open block and sends an error event', () => {
    const encoder = messagesDialect.encoder(parsed, META);
    const events = parseSse(
      encoder.open() +
        encoder.text('Part') +
        encoder.fail({ kind: 'overloaded', code: 'model.unavailable', message: 'busy' }),
    );
    assert.deepEqual(
      events.slice(-2).map((e) => e.event),
      ['content_block_stop', 'error'],
    );
    assert.deepEqual(events.at(-1)?.data, {
      type: 'error',
      error: { type: 'overloaded_error', message: 'busy' },
    });
  });
});

describe('Anthropic Messages bodies and errors', () => {
  it('answers a non-streaming request with content blocks, stop reason and usage', () => {
    const body = messagesDialect.body(
      messagesDialect.parse({ max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      sampleTurn(),
      META,
    ) as Json;
    assert.deepEqual(body.content, [
      { type: 'text', text: 'Looking at the test.' },
      { type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'src/sum.js' } },
    ]);
    assert.equal(body.stop_reason, 'tool_use');
    assert.equal(body.usage.output_tokens, 80);
  });

  it('errors carry Anthropic types: 401 authentication_error, 429 rate_limit_error', () => {
    assert.deepEqual(messagesDialect.error({ kind: 'auth', code: 'gateway.auth', message: 'no' }), {
      status: 401,
      body: { type: 'error', error: { type: 'authentication_error', message: 'no' } },
    });
    const budget = messagesDialect.error({ kind: 'budget', code: 'gateway.budget', message: 'spent' });
    assert.equal(budget.status, 429);
    assert.equal((budget.body as Json).error.type, 'rate_limit_error');
  });
});
