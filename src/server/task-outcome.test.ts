import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Report } from '../agent/events.ts';
import { budgetExhausted } from './budget.ts';
import { outcomeOf } from './task-outcome.ts';

const report = (status: Report['status'], error?: Report['error']) =>
  ({ status, reason: `because ${status}`, ...(error ? { error } : {}) }) as Report;

test("a run's report becomes the task's status and error", () => {
  assert.deepEqual(outcomeOf(report('finished'), undefined), { status: 'succeeded', error: undefined });
  assert.deepEqual(outcomeOf(report('limit'), undefined), {
    status: 'failed',
    error: { code: 'limit.reached', message: 'because limit' },
  });
  const budget = { code: 'budget.exhausted', message: 'spent' };
  assert.deepEqual(outcomeOf(report('failed', budget), undefined), { status: 'failed', error: budget });
  assert.equal(outcomeOf(report('cancelled'), undefined).status, 'cancelled');
});

test('a cancel is a cancel whatever the session made of it; a shutdown puts the task back in the queue', () => {
  const parked = report('failed', { code: 'approval.required', message: 'nobody answered' });
  assert.deepEqual(outcomeOf(parked, 'cancel'), { status: 'cancelled', error: undefined });
  assert.deepEqual(outcomeOf(parked, 'drain'), { status: 'queued', error: undefined });
  assert.equal(outcomeOf(report('cancelled'), 'drain').status, 'queued');
});

test('a budget is spent when either of its limits is reached; no limit, never', () => {
  const team = {
    id: 'red',
    budgetTokens: 100,
    budgetCost: 1,
    concurrency: undefined,
    repositories: undefined,
    policies: undefined,
    createdAt: '',
  };
  assert.equal(budgetExhausted(team, { tokens: 99, cost: 0.5 }), undefined);
  assert.match(budgetExhausted(team, { tokens: 100, cost: 0 }) ?? '', /budget of 100 tokens \(100 used\)/);
  assert.match(budgetExhausted(team, { tokens: 0, cost: 1.5 }) ?? '', /budget of \$1 \(\$1\.5000 used\)/);
  const open = { ...team, budgetTokens: undefined, budgetCost: undefined };
  assert.equal(budgetExhausted(open, { tokens: 1e12, cost: 1e9 }), undefined);
});
