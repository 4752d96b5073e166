import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GatewayCall } from '../gateway/index.ts';
import { createSpendTally, gatewayEvent, type WrapOutcome, wrapReport } from './wrap-report.ts';

function call(overrides: Partial<GatewayCall> = {}): GatewayCall {
  return {
    id: 'resp_1',
    time: '2026-11-25T00:00:00.000Z',
    api: 'openai.responses',
    owner: 'codex s1',
    requestedModel: 'gpt-5.5',
    model: 'openai:gpt-5.5',
    stream: true,
    status: 200,
    usage: { inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 },
    cost: 0.5,
    durationMs: 20,
    attempts: 1,
    ...overrides,
  };
}

function outcome(overrides: Partial<WrapOutcome> = {}): WrapOutcome {
  return {
    program: 'codex',
    exit: { exitCode: 0, signal: null },
    commands: [{ command: 'npm test', exitCode: 1, timedOut: false, durationMs: 5 }],
    judged: 2,
    denials: 1,
    spend: createSpendTally(),
    filesChanged: [{ path: 'a.js', kind: 'modified', added: 1, removed: 1 }],
    durationMs: 1234.5,
    ...overrides,
  };
}

test('every answered call counts toward its model; refused calls count toward nothing', () => {
  const spend = createSpendTally();
  spend.add(call());
  spend.add(call({ model: 'script:x.json', cost: undefined }));
  spend.add(
    call({ status: 401, model: undefined, attempts: 0, error: { code: 'gateway.auth', message: 'no' } }),
  );
  assert.equal(spend.calls, 2);
  assert.deepEqual(spend.tokens, {
    inputTokens: 200,
    outputTokens: 20,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  });
  assert.equal(spend.cost, 0.5);
  assert.deepEqual(Object.keys(spend.byModel), ['openai:gpt-5.5', 'script:x.json']);
  assert.equal(spend.byModel['script:x.json']?.cost, undefined);
});

test("a call's event carries who, which model and how much, and no wall-clock time of its own", () => {
  const event = gatewayEvent(call());
  assert.equal(event.type, 'gateway.call');
  assert.ok(!('time' in event) && !('owner' in event));
});

test("the report's status follows how the agent ended, and why Warden ended it", () => {
  assert.equal(wrapReport(outcome()).status, 'finished');
  const failed = wrapReport(outcome({ exit: { exitCode: 3, signal: null } }));
  assert.deepEqual([failed.status, failed.reason], ['failed', 'codex exited with status 3']);
  assert.equal(wrapReport(outcome({ ended: { by: 'user' } })).status, 'cancelled');
  assert.equal(
    wrapReport(outcome({ ended: { by: 'wall_time', maxMs: 60_000 } })).reason,
    'the wall time limit of 60 s was reached',
  );
  const stopped = wrapReport(
    outcome({ ended: { by: 'warden', code: 'approval.required', message: 'approval needed' } }),
  );
  assert.deepEqual([stopped.status, stopped.error?.code], ['failed', 'approval.required']);
  const spend = createSpendTally();
  spend.add(call({ status: 429, attempts: 0, error: { code: 'gateway.budget', message: 'spent' } }));
  assert.equal(wrapReport(outcome({ spend, exit: { exitCode: 1, signal: null } })).status, 'limit');
});

test('the report counts commands, denials and changed files like any session', () => {
  const report = wrapReport(outcome());
  assert.deepEqual(
    [report.toolCalls, report.toolErrors, report.denials, report.diffStat.files, report.durationMs],
    [2, 1, 1, 1, 1235],
  );
  assert.equal(report.summary, 'codex exited with status 0 after 0 model calls and 2 commands (1 denied).');
});
