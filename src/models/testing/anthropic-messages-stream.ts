/** What Anthropic's Messages API streams for one answer, event for event, for wire tests. */
import { type Reply, sseReply } from './sse-server.ts';

/** A text block, a tool_use block with its JSON in pieces, usage at both ends. */
export function messagesStream(): Reply {
  const events: Array<Record<string, unknown>> = [
    {
      type: 'message_start',
      message: {
        id: 'msg_01',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 900,
          cache_creation_input_tokens: 100,
          cache_read_input_tokens: 500,
          output_tokens: 1,
        },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Looking at ' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'the test.' } },
    { type: 'content_block_stop', index: 0 },
    {
      type: 'content_block_start',
      index: 1,
      content_block: { type: 'tool_use', id: 'toolu_01', name: 'read_file', input: {} },
    },
    // Anthropic opens a tool's input with an empty piece.
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '' } },
    {
      type: 'content_block_delta',
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '{"path": "src/' },
    },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: 'sum.js"}' } },
    { type: 'content_block_stop', index: 1 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 64 },
    },
    { type: 'message_stop' },
  ];
  return sseReply(events.map((data) => ({ event: String(data.type), data })));
}
