import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_LIMITS } from '../agent/limits.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import { taskLimits } from './task-runner.ts';

const policy = (limits: object) => ({ limits }) as unknown as CompiledPolicy;

test("a client's limits cannot raise the policy's: each is the smaller of the two", () => {
  const strict = policy({ tokens: 1000, cost: 1, wallTimeMs: 60_000 });
  assert.deepEqual(
    taskLimits(strict, { turns: 1_000_000, tokens: 10 ** 12, cost: 10 ** 6, wallTimeSeconds: 604_800 }),
    {
      maxTurns: DEFAULT_LIMITS.maxTurns,
      maxTokens: 1000,
      maxCost: 1,
      maxWallTimeMs: 60_000,
    },
  );
  assert.deepEqual(taskLimits(strict, { turns: 3, tokens: 10, cost: 0.5, wallTimeSeconds: 5 }), {
    maxTurns: 3,
    maxTokens: 10,
    maxCost: 0.5,
    maxWallTimeMs: 5000,
  });
});

test("where the policy sets no limit, Warden's default is the ceiling", () => {
  assert.deepEqual(taskLimits(policy({}), { tokens: 10 ** 12, wallTimeSeconds: 604_800 }), DEFAULT_LIMITS);
  assert.deepEqual(taskLimits(policy({}), {}), DEFAULT_LIMITS);
});
