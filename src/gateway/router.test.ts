import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WardenError } from '../errors.ts';
import { buildModelConfig } from '../models/config.ts';
import { userConfig } from '../models/testing/turn-fixtures.ts';
import type { ModelClient } from '../models/types.ts';
import { createModelRouter } from './router.ts';

/** A stand-in client per Warden id, counting how often each was built. */
function fakeResolve() {
  const built: string[] = [];
  const resolve = (id: string): ModelClient => {
    if (id.startsWith('bad:')) throw new WardenError('model.provider', `unknown provider in ${id}`);
    built.push(id);
    return {
      info: { id, provider: 'fake', model: id, contextWindow: 1000, price: undefined },
      turn: () => Promise.reject(new Error('not called')),
    };
  };
  return { built, resolve };
}

describe('model router', () => {
  it('routes aliases, patterns and the default, and builds each model once', () => {
    const { built, resolve } = fakeResolve();
    const router = createModelRouter({
      resolve,
      aliases: {
        'gpt-5-codex': 'openai:gpt-5',
        'claude-haiku-*': 'script:haiku.json',
        'claude-*': 'anthropic:claude-sonnet-4-5',
      },
      default: 'ollama:qwen2.5-coder',
    });
    assert.equal(router.route('gpt-5-codex').target, 'openai:gpt-5');
    assert.equal(router.route('claude-haiku-4-5-20251001').target, 'script:haiku.json');
    assert.equal(router.route('claude-sonnet-4-5-20250929').target, 'anthropic:claude-sonnet-4-5');
    assert.equal(router.route('some-other-model').target, 'ollama:qwen2.5-coder');
    assert.equal(router.route(undefined).target, 'ollama:qwen2.5-coder');
    assert.equal(router.route('gpt-5-codex').client, router.route('gpt-5-codex').client);
    assert.deepEqual(built.sort(), [
      'anthropic:claude-sonnet-4-5',
      'ollama:qwen2.5-coder',
      'openai:gpt-5',
      'script:haiku.json',
    ]);
  });

  it('a client cannot reach a Warden model id nobody configured', () => {
    const { built, resolve } = fakeResolve();
    const router = createModelRouter({ resolve, aliases: { fast: 'openai:gpt-5-mini' } });
    assert.throws(
      () => router.route('script:/etc/passwd'),
      (error: WardenError) =>
        error.code === 'gateway.model' &&
        /ask for one of: fast, openai:gpt-5-mini/.test(error.message + error.hint),
    );
    assert.throws(() => router.route('openai:o3'), /no model "openai:o3"/);
    assert.ok(!built.includes('script:/etc/passwd'));
    // A configured target may be asked for by its own id.
    assert.equal(router.route('openai:gpt-5-mini').target, 'openai:gpt-5-mini');
  });

  it('listed models are reachable by name; a model the config merely names is not', () => {
    const { built, resolve } = fakeResolve();
    const config = userConfig({
      models: {
        work: { id: 'bedrock:anthropic.claude-sonnet-4-5-20250929-v1:0' },
        listed: { id: 'openai:gpt-5' },
      },
    });
    const router = createModelRouter({
      resolve,
      config,
      models: ['mistral:devstral-medium-latest', 'listed'],
    });
    assert.equal(router.route('mistral:devstral-medium-latest').target, 'mistral:devstral-medium-latest');
    assert.equal(router.route('listed').target, 'listed');
    assert.throws(() => router.route('work'), /no model "work"/);
    assert.ok(!built.includes('work'));
    assert.deepEqual(router.names(), ['mistral:devstral-medium-latest', 'listed']);
  });

  it("a repository's config that names a model cannot reach it past the user's choice", () => {
    // The wrap case: the user chose --model openai:gpt-5.5; the repository's warden.config.yaml
    // names an expensive model, and the wrapped agent asks for it by that name.
    const { built, resolve } = fakeResolve();
    const config = buildModelConfig([
      {
        source: 'repo/warden.config.yaml',
        trust: 'repo',
        data: { models: { opus: { id: 'anthropic:claude-opus-4-1' } } },
      },
    ]);
    const router = createModelRouter({ resolve, config, default: 'openai:gpt-5.5' });
    assert.equal(router.route('opus').target, 'openai:gpt-5.5');
    assert.equal(router.route('anthropic:claude-opus-4-1').target, 'openai:gpt-5.5');
    assert.deepEqual(built, ['openai:gpt-5.5']);
    assert.deepEqual(router.names(), ['openai:gpt-5.5']);
  });

  it('uses the config default_model when no default is given', () => {
    const { resolve } = fakeResolve();
    const router = createModelRouter({ resolve, config: userConfig({ default_model: 'openai:gpt-5' }) });
    assert.equal(router.route('gpt-4o').target, 'openai:gpt-5');
  });

  it('fails at start, naming the model, when a target cannot be built', () => {
    const { resolve } = fakeResolve();
    assert.throws(
      () => createModelRouter({ resolve, aliases: { x: 'bad:thing' } }),
      (error: WardenError) =>
        error.code === 'model.provider' && /gateway model bad:thing/.test(error.message),
    );
  });

  it('builds real clients from the model config', () => {
    const router = createModelRouter({
      config: userConfig({}),
      env: { OPENAI_API_KEY: 'sk-test' },
      cwd: process.cwd(),
      default: 'openai:gpt-5',
    });
    assert.equal(router.route('anything').client.info.id, 'openai:gpt-5');
  });
});
