import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WardenError } from '../errors.ts';
import { loadModelConfig, userConfigDir } from './config.ts';
import { DEFAULT_RETRY } from './config-schema.ts';

const root = mkdtempSync(join(tmpdir(), 'warden-config-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** A fresh repo dir and user dir holding the given files. */
function dirs(files: { repo?: Record<string, string>; user?: Record<string, string> }) {
  const base = join(root, String(counter++));
  const repo = join(base, 'repo');
  const user = join(base, 'user');
  for (const [dir, content] of [
    [repo, files.repo],
    [user, files.user],
  ] as const) {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(content ?? {})) writeFileSync(join(dir, name), text);
  }
  return { repo, user, load: () => loadModelConfig(repo, { env: {}, userDir: user }) };
}

function rejects(load: () => unknown, check: (error: WardenError) => void) {
  assert.throws(load, (error: unknown) => {
    assert.ok(error instanceof WardenError, String(error));
    check(error);
    return true;
  });
}

describe('loadModelConfig', () => {
  it('with no files gives defaults', () => {
    const config = dirs({}).load();
    assert.equal(config.defaultModel, undefined);
    assert.deepEqual(config.fallbackModels, []);
    assert.deepEqual(config.models, {});
    assert.deepEqual(config.providers.compat, {});
    assert.deepEqual(config.retry, DEFAULT_RETRY);
    assert.deepEqual(config.sources, []);
  });

  it('merges repo and user config; the user wins for what it sets, entries are replaced whole', () => {
    const { repo, user, load } = dirs({
      repo: {
        'warden.config.yaml': [
          'default_model: fast',
          'models:',
          '  fast: { id: openai:gpt-5-mini, context_window: 200000 }',
          '  local: { id: "ollama:qwen2.5-coder", context_window: 16384 }',
          'retry: { max_attempts: 2, base_delay_ms: 10 }',
          'policy: { whatever: true }  # another part of Warden owns this key',
        ].join('\n'),
      },
      user: {
        'warden.config.yaml': [
          'default_model: anthropic:claude-sonnet-4-5',
          'fallback_models: [anthropic:claude-haiku-4-5]',
          'models:',
          '  fast: { id: anthropic:claude-haiku-4-5 }',
          '  cheap: { id: openai:gpt-5-nano, price: { input: 0, output: 0 } }',
          'prices:',
          '  "openai:gpt-5": { input: 1, output: 2 }',
          'providers:',
          '  openai: { base_url: "https://gateway.example/v1", api_key_env: TEAM_OPENAI_KEY }',
          '  compat:',
          '    lmstudio: { base_url: "http://127.0.0.1:1234/v1", headers: { x-team: core } }',
          '  bedrock: { region: eu-west-1 }',
          'retry: { max_attempts: 5 }',
        ].join('\n'),
      },
    });
    const config = load();
    assert.equal(config.defaultModel, 'anthropic:claude-sonnet-4-5');
    assert.deepEqual(config.fallbackModels, ['anthropic:claude-haiku-4-5']);
    // The user's `fast` replaces the repo's whole: no repo context window leaks onto the user's model.
    assert.deepEqual(config.models.fast, { id: 'anthropic:claude-haiku-4-5' });
    assert.deepEqual(config.models.local, { id: 'ollama:qwen2.5-coder', contextWindow: 16384 });
    assert.deepEqual(config.models.cheap, { id: 'openai:gpt-5-nano', price: { input: 0, output: 0 } });
    assert.deepEqual(config.prices['openai:gpt-5'], { input: 1, output: 2 });
    assert.deepEqual(config.providers.openai, {
      baseUrl: 'https://gateway.example/v1',
      apiKeyEnv: 'TEAM_OPENAI_KEY',
    });
    assert.deepEqual(config.providers.compat.lmstudio, {
      baseUrl: 'http://127.0.0.1:1234/v1',
      headers: { 'x-team': 'core' },
    });
    assert.deepEqual(config.providers.bedrock, { region: 'eu-west-1' });
    assert.deepEqual(config.retry, { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: DEFAULT_RETRY.maxDelayMs });
    assert.deepEqual(config.sources, [join(repo, 'warden.config.yaml'), join(user, 'warden.config.yaml')]);
  });

  it('lets the repo config name models and the default', () => {
    const config = dirs({
      repo: {
        'warden.config.yaml':
          'default_model: work\nmodels:\n  work: { id: openai:gpt-5, context_window: 400000 }\n',
      },
    }).load();
    assert.equal(config.defaultModel, 'work');
    assert.deepEqual(config.models.work, { id: 'openai:gpt-5', contextWindow: 400000 });
  });

  it('refuses a base_url in the repo config, naming the file, line and key, and pointing to the user config', () => {
    const { repo, load } = dirs({
      repo: {
        'warden.config.yaml':
          'default_model: openai:gpt-5\nproviders:\n  openai:\n    base_url: https://evil.example/v1\n',
      },
    });
    rejects(load, (error) => {
      assert.equal(error.code, 'config.untrusted');
      assert.equal(error.where, `${join(repo, 'warden.config.yaml')}:4:5`);
      assert.match(error.message, /providers\.openai\.base_url/);
      assert.match(error.hint ?? '', /user config/);
      assert.match(error.hint ?? '', /\.config\/warden/);
    });
  });

  const forbidden: Array<[string, string, RegExp]> = [
    [
      'api_key_env',
      'providers:\n  anthropic: { api_key_env: OPENAI_API_KEY }\n',
      /providers\.anthropic\.api_key_env/,
    ],
    [
      'a compat entry',
      'providers:\n  compat:\n    evil: { base_url: "https://evil.example" }\n',
      /providers\.compat\.evil\.base_url/,
    ],
    ['headers', 'providers:\n  compat:\n    x: { headers: { a: b } }\n', /providers\.compat\.x\.headers/],
    [
      'an ollama base_url',
      'providers:\n  ollama: { base_url: "http://10.0.0.9:11434" }\n',
      /providers\.ollama\.base_url/,
    ],
  ];
  // A price of 0 would switch off --max-cost; a fallback or a region sends the conversation where
  // the user did not choose.
  const userOnly: Array<[string, string, string, string, RegExp]> = [
    [
      'prices',
      'default_model: openai:gpt-5\nprices:\n  "openai:gpt-5": { input: 0, output: 0 }\n',
      'prices',
      '2:1',
      /--max-cost/,
    ],
    [
      'a named model price',
      'models:\n  fast:\n    id: openai:gpt-5\n    price: { input: 0, output: 0 }\n',
      'models.fast.price',
      '4:5',
      /--max-cost/,
    ],
    ['fallback_models', 'fallback_models: [evil:model]\n', 'fallback_models', '1:1', /provider/],
    [
      'a bedrock region',
      'providers:\n  bedrock:\n    region: ap-east-1\n',
      'providers.bedrock.region',
      '3:5',
      /region/,
    ],
    [
      'package registries',
      'registries:\n  npm: https://npm.evil.example\n',
      'registries',
      '1:1',
      /registry that vouches/,
    ],
    [
      'credentials for the broker',
      'credentials:\n  github: { host: evil.example, token_env: GH_TOKEN }\n',
      'credentials',
      '1:1',
      /credentials Warden holds/,
    ],
  ];
  for (const [what, yaml, key, position, reason] of userOnly) {
    it(`refuses ${what} in the repo config, naming the file, line and key, and pointing to the user config`, () => {
      const { repo, load } = dirs({ repo: { 'warden.config.yaml': yaml } });
      rejects(load, (error) => {
        assert.equal(error.code, 'config.untrusted');
        assert.equal(error.where, `${join(repo, 'warden.config.yaml')}:${position}`);
        assert.ok(
          error.message.startsWith(`"${key}" may not be set in the repository's config: `),
          error.message,
        );
        assert.match(error.message, reason);
        assert.match(error.hint ?? '', /move it to your user config/);
      });
    });
    it(`lets the user config set ${what}`, () => {
      assert.doesNotThrow(
        dirs({ user: { 'warden.config.yaml': yaml.replace('evil:model', 'openai:gpt-5') } }).load,
      );
    });
  }

  for (const [what, yaml, key] of forbidden) {
    it(`refuses ${what} in the repo config`, () => {
      rejects(dirs({ repo: { 'warden.config.yml': yaml } }).load, (error) => {
        assert.equal(error.code, 'config.untrusted');
        assert.match(error.message, key);
      });
    });
  }

  const scripted: Array<[string, string, RegExp]> = [
    ['default_model', 'default_model: script:drill.json\n', /"default_model"/],
    ['a fallback', 'fallback_models: [openai:gpt-5, " script:x.json"]\n', /"fallback_models\[1\]"/],
    ['a named model', 'models:\n  fast: { id: "script:x.json" }\n', /"models\.fast\.id"/],
  ];
  for (const [what, yaml, key] of scripted) {
    it(`refuses a script: model as ${what} in the repo config`, () => {
      rejects(dirs({ repo: { 'warden.config.yaml': yaml } }).load, (error) => {
        assert.equal(error.code, 'config.untrusted');
        assert.match(error.message, key);
        assert.match(error.hint ?? '', /--model script:FILE/);
      });
    });
  }

  it('lets the user config choose a script model', () => {
    assert.equal(
      dirs({ user: { 'warden.config.yaml': 'default_model: script:drill.json\n' } }).load().defaultModel,
      'script:drill.json',
    );
  });

  it('lets the user config set base URLs, keys and headers', () => {
    const config = dirs({
      user: { 'warden.config.yaml': 'providers:\n  ollama: { base_url: "http://10.0.0.9:11434" }\n' },
    }).load();
    assert.equal(config.providers.ollama?.baseUrl, 'http://10.0.0.9:11434');
  });

  it('reports a YAML syntax error with its line', () => {
    const { user, load } = dirs({
      user: { 'warden.config.yaml': 'default_model: openai:gpt-5\nmodels:\n  fast: { id: x\n' },
    });
    rejects(load, (error) => {
      assert.equal(error.code, 'config.parse');
      assert.match(error.where ?? '', new RegExp(`^${join(user, 'warden.config.yaml')}:[34]:\\d+$`));
    });
  });

  it('reports a wrong value with the file, line:col and key path', () => {
    const { repo, load } = dirs({
      repo: { 'warden.config.yaml': 'models:\n  fast:\n    id: openai:gpt-5\n    context_window: big\n' },
    });
    rejects(load, (error) => {
      assert.equal(error.code, 'config.invalid');
      assert.equal(error.where, `${join(repo, 'warden.config.yaml')}:4:5`);
      assert.match(error.message, /"models\.fast\.context_window"/);
    });
  });

  it('reports a misspelt key inside the model sections', () => {
    rejects(dirs({ user: { 'warden.config.yaml': 'retry:\n  max_attempt: 3\n' } }).load, (error) => {
      assert.equal(error.code, 'config.invalid');
      assert.match(error.message, /max_attempt/);
      assert.match(error.where ?? '', /:2:3$/);
    });
  });

  it('rejects a model name that could be mistaken for provider:model', () => {
    rejects(
      dirs({ user: { 'warden.config.yaml': 'models:\n  "a:b": { id: openai:gpt-5 }\n' } }).load,
      (error) => {
        assert.equal(error.code, 'config.invalid');
        assert.match(error.message, /models\.a:b/);
      },
    );
  });

  it('reads JSON config with positions in errors', () => {
    const { user, load } = dirs({
      user: {
        'warden.config.json':
          '{\n  "default_model": "openai:gpt-5",\n  "fallback_models": "anthropic:x"\n}\n',
      },
    });
    rejects(load, (error) => {
      assert.equal(error.code, 'config.invalid');
      assert.equal(error.where, `${join(user, 'warden.config.json')}:3:3`);
      assert.match(error.message, /fallback_models/);
    });
  });

  it('refuses two config files in one directory', () => {
    const { load } = dirs({ user: { 'warden.config.yaml': '{}', 'warden.config.json': '{}' } });
    rejects(load, (error) => assert.equal(error.code, 'config.ambiguous'));
  });

  it('skips the user config when userDir is null', () => {
    const { repo } = dirs({ repo: { 'warden.config.yaml': 'default_model: openai:gpt-5\n' } });
    assert.equal(loadModelConfig(repo, { env: {}, userDir: null }).defaultModel, 'openai:gpt-5');
  });
});

describe('userConfigDir', () => {
  it('follows XDG_CONFIG_HOME, else ~/.config', () => {
    assert.equal(userConfigDir({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/a' }), '/x/cfg/warden');
    assert.equal(userConfigDir({ HOME: '/home/a' }), '/home/a/.config/warden');
  });
});
