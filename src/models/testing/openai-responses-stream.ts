/** What OpenAI's Responses API streams for one answer, event for event, for wire tests. */
import { type Reply, type SseEvent, sseReply } from './sse-server.ts';

/** The Responses API stream as OpenAI sends it: a message, then a function call, then usage. */
export function responsesStream(): Reply {
  const args = '{"path":"src/sum.js"}';
  const events: Array<Record<string, unknown>> = [
    {
      type: 'response.created',
      response: {
        id: 'resp_1',
        object: 'response',
        created_at: 1_750_000_000,
        model: 'gpt-test',
        status: 'in_progress',
        output: [],
      },
    },
    {
      type: 'response.in_progress',
      response: {
        id: 'resp_1',
        object: 'response',
        created_at: 1_750_000_000,
        model: 'gpt-test',
        status: 'in_progress',
        output: [],
      },
    },
    {
      type: 'response.output_item.added',
      output_index: 0,
      item: { id: 'msg_1', type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    },
    {
      type: 'response.content_part.added',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    },
    {
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'Looking at ',
    },
    {
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'the test.',
    },
    {
      type: 'response.output_text.done',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      text: 'Looking at the test.',
    },
    {
      type: 'response.output_item.done',
      output_index: 0,
      item: {
        id: 'msg_1',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Looking at the test.', annotations: [] }],
      },
    },
    {
      type: 'response.output_item.added',
      output_index: 1,
      item: {
        id: 'fc_1',
        type: 'function_call',
        status: 'in_progress',
        arguments: '',
        call_id: 'call_abc',
        name: 'read_file',
      },
    },
    { type: 'response.function_call_arguments.delta', item_id: 'fc_1', output_index: 1, delta: '{"path":' },
    {
      type: 'response.function_call_arguments.delta',
      item_id: 'fc_1',
      output_index: 1,
      delta: '"src/sum.js"}',
    },
    { type: 'response.function_call_arguments.done', item_id: 'fc_1', output_index: 1, arguments: args },
    {
      type: 'response.output_item.done',
      output_index: 1,
      item: {
        id: 'fc_1',
        type: 'function_call',
        status: 'completed',
        arguments: args,
        call_id: 'call_abc',
        name: 'read_file',
      },
    },
    {
      type: 'response.completed',
      response: {
        id: 'resp_1',
        object: 'response',
        created_at: 1_750_000_000,
        model: 'gpt-test',
        status: 'completed',
        incomplete_details: null,
        usage: {
          input_tokens: 1200,
          input_tokens_details: { cached_tokens: 200 },
          output_tokens: 80,
          output_tokens_details: { reasoning_tokens: 16 },
          total_tokens: 1280,
        },
      },
    },
  ];
  const sse: SseEvent[] = events.map((data, index) => ({
    event: String(data.type),
    data: { ...data, sequence_number: index },
  }));
  return sseReply(sse);
}
