import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createHeadlessApprover, createTerminalApprover } from './approvals.ts';

const TITLE_ESCAPE = '\u001b]0;x\u0007';
const request = {
  callId: 'c1',
  tool: 'shell',
  summary: `shell: npm install ${TITLE_ESCAPE}left-pad`,
  reason: 'asks',
};

async function answer(typed: string | null) {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => {
    shown += chunk.toString();
  });
  const approver = createTerminalApprover({
    input,
    output,
    clean: (t) => t.replaceAll(TITLE_ESCAPE, ''),
  });
  const pending = approver.ask(request);
  if (typed === null) input.end();
  else input.write(`${typed}\n`);
  return { result: await pending, shown };
}

test('the terminal prompt: once, for this session, or deny; anything unclear is a no', async () => {
  assert.equal((await answer('o')).result, 'once');
  assert.equal((await answer('yes')).result, 'once');
  assert.equal((await answer('s')).result, 'session');
  assert.equal((await answer('d')).result, 'deny');
  assert.equal((await answer('maybe')).result, 'deny');
  assert.equal((await answer('')).result, 'deny');
  assert.equal((await answer(null)).result, 'deny', 'closed input cannot say yes');
});

test('what the model chose is cleaned before it reaches the terminal', async () => {
  const { shown } = await answer('d');
  assert.match(shown, /approval needed: shell: npm install left-pad/);
  assert.ok(!shown.includes('\u001b'), 'no escape byte reached the terminal');
});

test('headless approvers answer without asking', async () => {
  assert.equal(await createHeadlessApprover('deny').ask(request), 'deny');
  assert.equal(await createHeadlessApprover('fail').ask(request), 'fail');
});
