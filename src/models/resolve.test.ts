import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WardenError } from '../errors.ts';
import { resolveModel } from './resolve.ts';
import { FAST_RETRY, sampleRequest, userConfig } from './testing/turn-fixtures.ts';

const cwd = mkdtempSync(join(tmpdir(), 'warden-resolve-'));
after(() => rmSync(cwd, { recursive: true, force: true }));
writeFileSync(join(cwd, 'fix.json'), JSON.stringify({ turns: [{ text: 'hello' }] }));

function fails(run: () => unknown, code: string, check: (error: WardenError) => void = () => {}) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof WardenError, String(error));
    assert.equal(error.code, code, error.message);
    check(error);
    return true;
  });
}

/** A fetch that answers 401 and remembers what was asked. */
function rejectingFetch() {
  const seen: Array<{ url: string; headers: Headers }> = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    seen.push({
      url: String(input instanceof Request ? input.url : input),
      headers: new Headers(init?.headers),
    });
    return new Response(JSON.stringify({ error: { message: 'bad key' } }), {
      status: 401,
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

describe('resolveModel', () => {
  it('without an id or default_model asks for --model', () => {
    fails(
      () => resolveModel(undefined, { config: userConfig({}), env: {}, cwd }),
      'model.missing',
      (error) => assert.match(error.hint ?? '', /--model provider:model/),
    );
  });

  it('uses default_model when no id is given', () => {
    const client = resolveModel(undefined, {
      config: userConfig({ default_model: 'script:fix.json' }),
      env: {},
      cwd,
    });
    assert.equal(client.info.id, 'script:fix.json');
  });

  const keyed: Array<[string, string]> = [
    ['openai:gpt-5', 'OPENAI_API_KEY'],
    ['anthropic:claude-sonnet-4-5', 'ANTHROPIC_API_KEY'],
    ['mistral:codestral-latest', 'MISTRAL_API_KEY'],
    ['google:gemini-2.5-pro', 'GOOGLE_GENERATIVE_AI_API_KEY'],
  ];
  for (const [id, variable] of keyed) {
    it(`${id} without ${variable} fails at once, saying how to set it`, () => {
      fails(
        () => resolveModel(id, { config: userConfig({}), env: { [variable]: ' ' }, cwd }),
        'model.credentials',
        (error) =>
          assert.equal(
            error.describe(),
            `${variable} is not set: export ${variable}=… or pick another model with --model`,
          ),
      );
    });
  }

  it('ollama needs no key and no cloud', () => {
    const client = resolveModel('ollama:qwen2.5-coder', { config: userConfig({}), env: {}, cwd });
    assert.deepEqual(client.info.price, { input: 0, output: 0 });
  });

  for (const url of ['ftp://host/v1', 'not a url', 'file:///etc/passwd']) {
    it(`refuses the base URL ${JSON.stringify(url)}`, () => {
      const config = userConfig({ providers: { openai: { base_url: url } } });
      fails(
        () => resolveModel('openai:gpt-5', { config, env: { OPENAI_API_KEY: 'k' }, cwd }),
        'model.base_url',
      );
    });
  }

  it('names an unknown compat entry', () => {
    fails(
      () => resolveModel('compat:nope/m', { config: userConfig({}), env: {}, cwd }),
      'model.unknown',
      (error) => assert.match(error.hint ?? '', /providers\.compat\.nope\.base_url/),
    );
  });

  it('resolves a config name to its model, with its window and price', () => {
    const config = userConfig({
      models: {
        fast: { id: 'anthropic:claude-haiku-4-5', context_window: 50_000, price: { input: 9, output: 9 } },
      },
    });
    const client = resolveModel('fast', { config, env: { ANTHROPIC_API_KEY: 'k' }, cwd });
    assert.deepEqual(client.info, {
      id: 'fast',
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      contextWindow: 50_000,
      price: { input: 9, output: 9 },
    });
  });

  it('blames models.<name>.id for a bad target', () => {
    const config = userConfig({ models: { fast: { id: 'fast2' } } });
    fails(
      () => resolveModel('fast', { config, env: {}, cwd }),
      'model.unknown',
      (error) => assert.equal(error.where, 'models.fast.id'),
    );
  });

  it('takes prices from config over the built-in table, and the table for dated snapshots', () => {
    const env = { OPENAI_API_KEY: 'k', ANTHROPIC_API_KEY: 'k' };
    const config = userConfig({ prices: { 'openai:gpt-5': { input: 7, output: 8 } } });
    assert.deepEqual(resolveModel('openai:gpt-5', { config, env, cwd }).info.price, { input: 7, output: 8 });
    const dated = resolveModel('anthropic:claude-sonnet-4-5-20250929', { config, env, cwd }).info;
    assert.equal(dated.price?.input, 3);
    assert.equal(dated.contextWindow, 200_000);
    assert.equal(resolveModel('openai:brand-new', { config, env, cwd }).info.price, undefined);
  });

  it('checks fallbacks up front too, saying which one is broken', () => {
    const config = userConfig({ fallback_models: ['anthropic:claude-haiku-4-5'] });
    fails(
      () => resolveModel('ollama:qwen', { config, env: {}, cwd }),
      'model.credentials',
      (error) =>
        assert.match(
          error.message,
          /^fallback model anthropic:claude-haiku-4-5: ANTHROPIC_API_KEY is not set/,
        ),
    );
  });

  it('runs a script relative to cwd through the same client', async () => {
    const turn = await resolveModel('script:fix.json', { config: userConfig({}), env: {}, cwd }).turn(
      sampleRequest(),
    );
    assert.equal(turn.text, 'hello');
    assert.equal(turn.modelId, 'script:fix.json');
  });

  const viaFetch: Array<[string, NodeJS.ProcessEnv, RegExp, (headers: Headers) => void, RegExp]> = [
    [
      'mistral:codestral-latest',
      { MISTRAL_API_KEY: 'mk' },
      /^https:\/\/api\.mistral\.ai\/v1\/chat\/completions$/,
      (headers) => assert.equal(headers.get('authorization'), 'Bearer mk'),
      /MISTRAL_API_KEY/,
    ],
    [
      'google:gemini-2.5-flash',
      { GOOGLE_GENERATIVE_AI_API_KEY: 'gk' },
      /^https:\/\/generativelanguage\.googleapis\.com\/v1beta\/models\/gemini-2\.5-flash:streamGenerateContent/,
      (headers) => assert.equal(headers.get('x-goog-api-key'), 'gk'),
      /GOOGLE_GENERATIVE_AI_API_KEY/,
    ],
    [
      'bedrock:anthropic.claude-sonnet-4-5-20250929-v1:0',
      { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' },
      /^https:\/\/bedrock-runtime\.eu-west-1\.amazonaws\.com\/model\/.+\/converse-stream$/,
      (headers) => assert.match(headers.get('authorization') ?? '', /^AWS4-HMAC-SHA256 /),
      /AWS/,
    ],
  ];
  for (const [id, env, url, checkHeaders, fix] of viaFetch) {
    it(`${id}: the injected fetch carries the request, and a 401 says how to fix it`, async () => {
      const { fetch, seen } = rejectingFetch();
      const config = userConfig({ providers: { bedrock: { region: 'eu-west-1' } }, retry: FAST_RETRY });
      const client = resolveModel(id, { config, env, cwd, fetch });
      await assert.rejects(client.turn(sampleRequest()), (error: unknown) => {
        assert.ok(error instanceof WardenError);
        assert.equal(error.code, 'model.auth');
        assert.match(error.message, fix);
        return true;
      });
      assert.equal(seen.length, 1);
      assert.match(seen[0]?.url ?? '', url);
      checkHeaders(seen[0]?.headers ?? new Headers());
    });
  }
});
