import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { responsesDialect } from './openai-responses.ts';
import { parseResponsesRequest } from './openai-responses-request.ts';
import { type Json, META, parseSse, sampleTurn } from './testing/wire.ts';

const READ_FILE = {
  type: 'function',
  name: 'read_file',
  description: 'Read a file',
  parameters: { type: 'object' },
};

describe('OpenAI Responses requests', () => {
  it('reads instructions, messages and tool calls across turns into a TurnRequest', () => {
    const parsed = parseResponsesRequest({
      model: 'gpt-5-codex',
      instructions: 'You are Codex.',
      stream: true,
      max_output_tokens: 512,
      tools: [READ_FILE, { type: 'web_search' }],
      input: [
        {
          type: 'message',
          role: 'developer',
          content: [{ type: 'input_text', text: 'Sandbox: workspace-write.' }],
        },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Fix the test.' }] },
        { type: 'reasoning', summary: [], encrypted_content: 'opaque' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Looking.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'read_file', arguments: '{"path":"a.js"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'export const a = 1;' },
        { role: 'user', content: 'Go on.' },
      ],
    });
    assert.equal(parsed.model, 'gpt-5-codex');
    assert.equal(parsed.stream, true);
    assert.deepEqual(parsed.turn, {
      system: 'You are Codex.\n\nSandbox: workspace-write.',
      messages: [
        { role: 'user', text: 'Fix the test.' },
        {
          role: 'assistant',
          text: 'Looking.',
          toolCalls: [{ id: 'call_1', name: 'read_file', input: '{"path":"a.js"}' }],
        },
        {
          role: 'tool',
          results: [
            { callId: 'call_1', toolName: 'read_file', output: 'export const a = 1;', isError: false },
          ],
        },
        { role: 'user', text: 'Go on.' },
      ],
      tools: [{ name: 'read_file', description: 'Read a file', parameters: { type: 'object' } }],
      maxOutputTokens: 512,
    });
  });

  it('takes a plain string input as one user message, and notes images it cannot carry', () => {
    assert.deepEqual(parseResponsesRequest({ input: 'hello' }).turn.messages, [
      { role: 'user', text: 'hello' },
    ]);
    const withImage = parseResponsesRequest({
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'see' },
            { type: 'input_image', image_url: 'data:' },
          ],
        },
      ],
    });
    assert.deepEqual(withImage.turn.messages, [
      { role: 'user', text: 'see\n[image omitted by the Warden gateway]' },
    ]);
  });

  it('offers a freeform (custom) tool as a function taking { input }, its grammar in the description', () => {
    const parsed = parseResponsesRequest({
      input: [
        { type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'c1', output: 'Done' },
      ],
      tools: [
        {
          type: 'custom',
          name: 'apply_patch',
          description: 'Patch files.',
          format: { type: 'grammar', syntax: 'lark', definition: 'start: x' },
        },
      ],
    });
    assert.ok(parsed.customTools.has('apply_patch'));
    assert.match(parsed.turn.tools[0]?.description ?? '', /Patch files\.[\s\S]*lark grammar:\nstart: x/);
    assert.deepEqual(parsed.turn.messages[0], {
      role: 'assistant',
      text: '',
      toolCalls: [{ id: 'c1', name: 'apply_patch', input: '{"input":"*** Begin Patch"}' }],
    });
    const events = parseSse(
      responsesDialect.encoder(parsed, META).finish(
        sampleTurn({
          text: '',
          toolCalls: [{ id: 'c2', name: 'apply_patch', input: '{"input":"*** Begin Patch\\n"}' }],
        }),
      ),
    );
    const done = events.find((e) => e.event === 'response.output_item.done')?.data.item;
    assert.deepEqual(done, {
      id: 'ctc_c2',
      type: 'custom_tool_call',
      status: 'completed',
      call_id: 'c2',
      name: 'apply_patch',
      input: '*** Begin Patch\n',
    });
  });

  it('rejects what it cannot serve, saying where and how to fix it', () => {
    assert.throws(() => parseResponsesRequest({ model: 'x' }), /POST \/v1\/responses: input: /);
    assert.throws(
      () => parseResponsesRequest({ input: 'hi', previous_response_id: 'resp_1' }),
      (error: Error & { hint?: string }) =>
        /not supported/.test(error.message) && /store: false/.test(error.hint ?? ''),
    );
  });
});

describe('OpenAI Responses streams', () => {
  const parsed = parseResponsesRequest({ input: 'hi', tools: [READ_FILE] });

  it('streams text then a function call, in the order Codex reads them, ending with usage', () => {
    const encoder = responsesDialect.encoder(parsed, META);
    const turn = sampleTurn();
    const events = parseSse(
      encoder.open() + encoder.text('Looking at ') + encoder.text('the test.') + encoder.finish(turn),
    );
    assert.deepEqual(
      events.map((e) => e.event),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.delta',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.output_item.added',
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    assert.ok(events.every((e, index) => e.data.type === e.event && e.data.sequence_number === index));
    assert.equal(events[6]?.data.text, 'Looking at the test.');
    assert.deepEqual(events[12]?.data.item, {
      id: 'fc_call_1',
      type: 'function_call',
      status: 'completed',
      call_id: 'call_1',
      name: 'read_file',
      arguments: '{"path":"src/sum.js"}',
    });
    const completed = events.at(-1)?.data.response;
    assert.equal(completed.id, META.id);
    assert.equal(completed.status, 'completed');
    assert.equal(completed.output.length, 2);
    assert.deepEqual(completed.usage, {
      input_tokens: 1200,
      input_tokens_details: { cached_tokens: 200 },
      output_tokens: 80,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 1280,
    });
  });

  it('a call whose arguments are not a JSON object is sent with {} (the client reports it)', () => {
    const events = parseSse(
      responsesDialect
        .encoder(parsed, META)
        .finish(
          sampleTurn({ text: '', toolCalls: [{ id: 'c', name: 'read_file', input: '{"path": "a.js"' }] }),
        ),
    );
    assert.equal(events[0]?.data.output_index, 0);
    assert.equal(
      events.find((e) => e.event === 'response.function_call_arguments.done')?.data.arguments,
      '{}',
    );
  });

  it('an answer cut at max tokens ends as response.incomplete', () => {
    const events = parseSse(
      responsesDialect.encoder(parsed, META).finish(sampleTurn({ toolCalls: [], finishReason: 'length' })),
    );
    const last = events.at(-1);
    assert.equal(last?.event, 'response.incomplete');
    assert.deepEqual(last?.data.response.incomplete_details, { reason: 'max_output_tokens' });
  });

  it('a failure after the stream began is response.failed with an error code Codex understands', () => {
    const encoder = responsesDialect.encoder(parsed, META);
    const events = parseSse(
      encoder.open() +
        encoder.text('Partial') +
        encoder.fail({ kind: 'rate_limited', code: 'model.rate_limited', message: 'slow down' }),
    );
    assert.equal(events.at(-2)?.event, 'response.output_item.done');
    assert.deepEqual(events.at(-1)?.data.response.error, {
      code: 'rate_limit_exceeded',
      message: 'slow down',
    });
    assert.equal(events.at(-1)?.data.response.status, 'failed');
  });
});

describe('OpenAI Responses bodies and errors', () => {
  it('answers a non-streaming request with the response object', () => {
    const parsed = parseResponsesRequest({ input: 'hi' });
    const body = responsesDialect.body(parsed, sampleTurn(), META) as Json;
    assert.equal(body.object, 'response');
    assert.equal(body.status, 'completed');
    assert.deepEqual(
      body.output.map((item: { type: string }) => item.type),
      ['message', 'function_call'],
    );
    assert.equal(body.output[0].content[0].text, 'Looking at the test.');
  });

  it('a spent budget is a 429 insufficient_quota, marked not to retry; a bad key a 401 invalid_api_key', () => {
    const budget = responsesDialect.error({ kind: 'budget', code: 'gateway.budget', message: 'spent' });
    assert.equal(budget.status, 429);
    assert.deepEqual(budget.headers, { 'x-should-retry': 'false' });
    assert.deepEqual(budget.body, {
      error: { message: 'spent', type: 'insufficient_quota', param: null, code: 'insufficient_quota' },
    });
    const auth = responsesDialect.error({ kind: 'auth', code: 'gateway.auth', message: 'bad key' });
    assert.equal(auth.status, 401);
    assert.equal((auth.body as { error: { code: string } }).error.code, 'invalid_api_key');
  });
});
