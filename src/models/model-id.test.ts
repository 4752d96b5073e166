import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WardenError } from '../errors.ts';
import { type ModelRef, parseModelId, parseProviderModelId } from './model-id.ts';

describe('parseModelId', () => {
  const cases: Array<[string, ModelRef]> = [
    ['openai:gpt-5.5', { kind: 'direct', id: 'openai:gpt-5.5', provider: 'openai', model: 'gpt-5.5' }],
    [
      'anthropic:claude-sonnet-4-5',
      {
        kind: 'direct',
        id: 'anthropic:claude-sonnet-4-5',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
      },
    ],
    [
      'bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      {
        kind: 'direct',
        id: 'bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        provider: 'bedrock',
        model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      },
    ],
    [
      'mistral:codestral-latest',
      { kind: 'direct', id: 'mistral:codestral-latest', provider: 'mistral', model: 'codestral-latest' },
    ],
    [
      'google:gemini-2.5-pro',
      { kind: 'direct', id: 'google:gemini-2.5-pro', provider: 'google', model: 'gemini-2.5-pro' },
    ],
    [
      'ollama:qwen2.5-coder:7b',
      { kind: 'direct', id: 'ollama:qwen2.5-coder:7b', provider: 'ollama', model: 'qwen2.5-coder:7b' },
    ],
    [
      'compat:lmstudio/qwen2.5-coder',
      {
        kind: 'compat',
        id: 'compat:lmstudio/qwen2.5-coder',
        provider: 'compat',
        entry: 'lmstudio',
        model: 'qwen2.5-coder',
      },
    ],
    [
      'compat:gateway/org/model:v2',
      {
        kind: 'compat',
        id: 'compat:gateway/org/model:v2',
        provider: 'compat',
        entry: 'gateway',
        model: 'org/model:v2',
      },
    ],
    ['script:fix.json', { kind: 'script', id: 'script:fix.json', provider: 'script', file: 'fix.json' }],
    [
      'script:drills/a:b.json',
      { kind: 'script', id: 'script:drills/a:b.json', provider: 'script', file: 'drills/a:b.json' },
    ],
    ['  openai:gpt-5  ', { kind: 'direct', id: 'openai:gpt-5', provider: 'openai', model: 'gpt-5' }],
  ];
  for (const [id, expected] of cases) {
    it(`parses ${JSON.stringify(id)}`, () => assert.deepEqual(parseModelId(id), expected));
  }

  it('finds names defined in config', () => {
    assert.deepEqual(parseModelId('fast', ['fast', 'smart']), { kind: 'named', id: 'fast', name: 'fast' });
  });

  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['gpt-5', /no provider prefix/],
    ['openai:', /no model after/],
    ['azure:gpt-5', /"azure" is not a provider/],
    ['compat:lmstudio', /compat:<entry>\/<model>/],
    ['compat:/model', /compat:<entry>\/<model>/],
    ['compat:lmstudio/', /compat:<entry>\/<model>/],
    ['script:', /no model after/],
  ];
  for (const [id, message] of bad) {
    it(`rejects ${JSON.stringify(id)} as model.unknown, listing the valid forms`, () => {
      assert.throws(
        () => parseModelId(id, ['fast']),
        (error: unknown) => {
          assert.ok(error instanceof WardenError);
          assert.equal(error.code, 'model.unknown');
          assert.match(error.message, message);
          assert.match(
            error.hint ?? '',
            /openai:<model>.*compat:<provider entry>\/<model>.*script:<file\.json>/,
          );
          return true;
        },
      );
    });
  }

  it('parseProviderModelId refuses a bare name (a config name cannot point at another name)', () => {
    assert.throws(() => parseProviderModelId('fast'), /model id "fast"/);
    assert.equal(parseProviderModelId('openai:gpt-5').kind, 'direct');
  });
});
