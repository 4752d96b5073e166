import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatDialect } from './openai-chat.ts';
import { type Json, META, parseSse, sampleTurn } from './testing/wire.ts';

const TOOLS = [
  {
    type: 'function',
    function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object' } },
  },
];

describe('OpenAI Chat Completions requests', () => {
  it('reads system, user, assistant tool_calls and tool messages across turns', () => {
    const parsed = chatDialect.parse({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 300,
      tools: TOOLS,
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Fix it.' },
            { type: 'image_url', image_url: { url: 'x' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_9', type: 'function', function: { name: 'read_file', arguments: '{"path":"a"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_9', content: 'contents' },
      ],
    });
    assert.equal(parsed.stream, true);
    assert.deepEqual(parsed.turn, {
      system: 'Be brief.',
      messages: [
        { role: 'user', text: 'Fix it.\n[image omitted by the Warden gateway]' },
        {
          role: 'assistant',
          text: '',
          toolCalls: [{ id: 'call_9', name: 'read_file', input: '{"path":"a"}' }],
        },
        {
          role: 'tool',
          results: [{ callId: 'call_9', toolName: 'read_file', output: 'contents', isError: false }],
        },
      ],
      tools: [{ name: 'read_file', description: 'Read a file', parameters: { type: 'object' } }],
      maxOutputTokens: 300,
    });
  });

  it('rejects a request without messages, naming the field', () => {
    assert.throws(() => chatDialect.parse({ model: 'x', messages: [] }), /messages: Too small/);
    assert.throws(
      () => chatDialect.parse({ messages: [{ role: 'robot', content: 'x' }] }),
      /messages\[0\]\.role/,
    );
  });
});

describe('OpenAI Chat Completions streams', () => {
  it('streams the role, text deltas, tool_call deltas, the finish reason, usage and [DONE]', () => {
    const parsed = chatDialect.parse({
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const encoder = chatDialect.encoder(parsed, { ...META, id: 'chatcmpl-1' });
    const events = parseSse(
      encoder.open() + encoder.text('Looking ') + encoder.text('now.') + encoder.finish(sampleTurn()),
    );
    const deltas = events.slice(0, -2).map((e) => e.data.choices[0].delta);
    assert.deepEqual(deltas, [
      { role: 'assistant', content: '', refusal: null },
      { content: 'Looking ' },
      { content: 'now.' },
      {
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"path":"src/sum.js"}' } }] },
      {},
    ]);
    assert.equal(events.at(-3)?.data.choices[0].finish_reason, 'tool_calls');
    assert.ok(
      events.slice(0, -2).every((e) => e.data.usage === null && e.data.object === 'chat.completion.chunk'),
    );
    assert.deepEqual(events.at(-2)?.data.choices, []);
    assert.deepEqual(events.at(-2)?.data.usage, {
      prompt_tokens: 1200,
      completion_tokens: 80,
      total_tokens: 1280,
      prompt_tokens_details: { cached_tokens: 200 },
    });
    assert.equal(events.at(-1)?.data, '[DONE]');
  });

  it('without include_usage, sends no usage chunk', () => {
    const parsed = chatDialect.parse({ messages: [{ role: 'user', content: 'hi' }], stream: true });
    const events = parseSse(
      chatDialect.encoder(parsed, META).finish(sampleTurn({ toolCalls: [], finishReason: 'stop' })),
    );
    assert.equal(events.length, 2);
    assert.equal(events[0]?.data.choices[0].finish_reason, 'stop');
    assert.equal(events[0]?.data.usage, undefined);
  });

  it('a failure mid-stream is a chunk carrying error, which the SDKs raise', () => {
    const parsed = chatDialect.parse({ messages: [{ role: 'user', content: 'hi' }], stream: true });
    const events = parseSse(
      chatDialect.encoder(parsed, META).fail({ kind: 'upstream', code: 'model.network', message: 'down' }),
    );
    assert.deepEqual(events[0]?.data, {
      error: { message: 'down', type: 'server_error', param: null, code: 'upstream_error' },
    });
  });
});

describe('OpenAI Chat Completions bodies', () => {
  it('answers with the message, tool_calls, finish_reason and usage', () => {
    const parsed = chatDialect.parse({ messages: [{ role: 'user', content: 'hi' }] });
    const body = chatDialect.body(parsed, sampleTurn({ text: '' }), META) as Json;
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.choices[0].message.content, null);
    assert.equal(body.choices[0].message.tool_calls[0].function.arguments, '{"path":"src/sum.js"}');
    assert.equal(body.choices[0].finish_reason, 'tool_calls');
    assert.equal(body.usage.total_tokens, 1280);
  });
});
