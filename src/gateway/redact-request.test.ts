import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedactor } from '../guard/redactor.ts';
import { redactTurnRequest } from './redact-request.ts';

const AWS = 'AKIAIOSFODNN7EXAMPLE';
const KNOWN = 'team-db-password-7f3a9c';

describe('redacting a request before it goes upstream', () => {
  it('redacts the system prompt, user text, tool arguments and tool results; schemas stay', () => {
    const redactor = createRedactor();
    redactor.addKnown([{ value: KNOWN, kind: 'db-password' }]);
    const request = redactTurnRequest(
      {
        system: `deploy key ${AWS}`,
        messages: [
          { role: 'user', text: `the password is ${KNOWN}` },
          {
            role: 'assistant',
            text: 'ok',
            toolCalls: [{ id: 'c', name: 'shell', input: JSON.stringify({ command: `echo ${KNOWN}` }) }],
          },
          {
            role: 'tool',
            results: [{ callId: 'c', toolName: 'shell', output: `AWS_ACCESS_KEY_ID=${AWS}`, isError: false }],
          },
        ],
        tools: [
          {
            name: 'shell',
            description: 'Run',
            parameters: { type: 'object', description: 'AKIA-looking docs stay' },
          },
        ],
      },
      redactor,
    );
    const sent = JSON.stringify(request);
    assert.ok(!sent.includes(AWS) && !sent.includes(KNOWN), sent);
    assert.match(sent, /«secret:db-password#1»/);
    assert.ok(
      JSON.parse((request.messages[1] as { toolCalls: Array<{ input: string }> }).toolCalls[0]?.input ?? ''),
    );
    assert.deepEqual(request.tools[0]?.parameters, { type: 'object', description: 'AKIA-looking docs stay' });
  });
});
