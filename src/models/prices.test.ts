import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baseModelName, costOf, knownModel } from './prices.ts';

describe('baseModelName', () => {
  const cases: Array<[string, string]> = [
    ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 'claude-3-5-haiku'],
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['codestral-latest', 'codestral'],
    ['mistral.mistral-large-2407-v1:0', 'mistral-large'],
    ['gpt-5', 'gpt-5'],
  ];
  for (const [model, base] of cases) it(`${model} → ${base}`, () => assert.equal(baseModelName(model), base));
});

describe('knownModel', () => {
  it('knows the same Claude on Anthropic and on Bedrock', () => {
    assert.deepEqual(
      knownModel('bedrock', 'us.anthropic.claude-haiku-4-5-20251001-v1:0'),
      knownModel('anthropic', 'claude-haiku-4-5'),
    );
  });
  it('prices local models at zero and knows nothing of compat or unknown ones', () => {
    assert.deepEqual(knownModel('ollama', 'anything')?.price, { input: 0, output: 0 });
    assert.equal(knownModel('compat', 'gpt-5'), undefined);
    assert.equal(knownModel('openai', 'gpt-99'), undefined);
  });
});

describe('costOf', () => {
  const usage = {
    inputTokens: 1_000_000,
    outputTokens: 100_000,
    cacheReadTokens: 400_000,
    cacheWriteTokens: 100_000,
  };
  it('charges uncached input, cache reads, cache writes and output at their own prices', () => {
    const cost = costOf(usage, { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
    assert.ok(cost !== undefined && Math.abs(cost - (0.5 * 3 + 0.4 * 0.3 + 0.1 * 3.75 + 0.1 * 15)) < 1e-9);
  });
  it('charges cache tokens at the input price when they have none (the safe side)', () => {
    const cost = costOf(usage, { input: 2, output: 10 });
    assert.ok(cost !== undefined && Math.abs(cost - (1 * 2 + 0.1 * 10)) < 1e-9);
  });
  it('has no cost without a price', () => assert.equal(costOf(usage, undefined), undefined));
});
