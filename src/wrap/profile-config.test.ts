import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { WardenError } from '../errors.ts';
import type { ProfileContext } from './profile.ts';
import { loadConfiguredProfiles } from './profile-config.ts';
import { BUILTIN_PROFILES, pickProfile } from './profiles.ts';

const root = mkdtempSync(join(tmpdir(), 'warden-agents-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

function load(files: { repo?: string; user?: string }) {
  const base = join(root, String(counter++));
  const repo = join(base, 'repo');
  const user = join(base, 'user');
  mkdirSync(repo, { recursive: true });
  mkdirSync(user, { recursive: true });
  if (files.repo !== undefined) writeFileSync(join(repo, 'warden.config.yaml'), files.repo);
  if (files.user !== undefined) writeFileSync(join(user, 'warden.config.yaml'), files.user);
  return () =>
    loadConfiguredProfiles(repo, { env: {}, userDir: user, builtins: BUILTIN_PROFILES.map((p) => p.name) });
}

function rejects(run: () => unknown, code: string, message: RegExp, where: RegExp) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof WardenError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    assert.match(error.where ?? '', where);
    return true;
  });
}

const context: ProfileContext = {
  homeDir: '/tmp/h',
  home: '/home/warden',
  filesDir: '/tmp/f',
  gatewayUrl: 'http://warden:4000',
  openaiBaseUrl: 'http://warden:4000/v1',
  key: 'wk-session',
  commandSocket: '/tmp/run/commands.sock',
  nodePath: '/usr/bin/node',
  claudeHookScript: '/w/claude-hook.ts',
  workspace: '/repo',
};

const AIDER = `default_model: openai:gpt-5.5
agents:
  aider:
    api: openai
    base_url_env: [OPENAI_API_BASE]
    key_env: [OPENAI_API_KEY]
    env: { AIDER_ANALYTICS: "false" }
    args: [--no-auto-commits]
`;

describe('agent profiles in the user config', () => {
  it('a short entry points the agent at the gateway with the virtual key', () => {
    const [aider] = load({ user: AIDER })();
    assert.equal(aider?.name, 'aider');
    assert.deepEqual(aider?.programs, ['aider']);
    const prepared = aider?.prepare(context);
    assert.equal(prepared?.env.OPENAI_API_BASE, 'http://warden:4000/v1');
    assert.equal(prepared?.env.OPENAI_API_KEY, 'wk-session');
    assert.equal(prepared?.env.AIDER_ANALYTICS, 'false');
    assert.deepEqual(prepared?.args, ['--no-auto-commits']);
    assert.equal(prepared?.commands, 'shell');
  });

  it('an Anthropic agent gets the base URL without /v1', () => {
    const [agent] = load({
      user: 'agents:\n  other:\n    api: anthropic\n    base_url_env: [ANTHROPIC_BASE_URL]\n    key_env: [X_KEY]\n',
    })();
    assert.equal(agent?.prepare(context).env.ANTHROPIC_BASE_URL, 'http://warden:4000');
  });

  it("the repository's config may not define a profile: it says what runs with the key", () => {
    rejects(
      load({ repo: `models: {}\n${AIDER.split('\n').slice(1).join('\n')}` }),
      'config.untrusted',
      /"agents"/,
      /warden\.config\.yaml:2:1$/,
    );
  });

  it('a typo, a code-injecting variable or a built-in name points at its line', () => {
    rejects(
      load({
        user: 'agents:\n  a:\n    api: openai\n    base_url_env: [U]\n    key_env: [K]\n    argz: []\n',
      }),
      'config.invalid',
      /"agents\.a\.argz"/,
      /:6:5$/,
    );
    rejects(
      load({
        user: 'agents:\n  a:\n    api: openai\n    base_url_env: [U]\n    key_env: [K]\n    env: { LD_PRELOAD: x }\n',
      }),
      'config.invalid',
      /injects code/,
      /:6:/,
    );
    rejects(
      load({ user: 'agents:\n  codex:\n    api: openai\n    base_url_env: [U]\n    key_env: [K]\n' }),
      'config.invalid',
      /built-in profile/,
      /:2:3$/,
    );
  });
});

describe('picking a profile', () => {
  it('by the program name, .js and .exe included, or by --profile', () => {
    assert.equal(pickProfile(undefined, 'codex', []).name, 'codex');
    assert.equal(pickProfile(undefined, '/x/node_modules/@openai/codex/bin/codex.js', []).name, 'codex');
    assert.equal(pickProfile(undefined, 'claude.exe', []).name, 'claude');
    assert.equal(pickProfile('generic', 'my-agent', []).name, 'generic');
    const [aider] = load({ user: AIDER })();
    assert.equal(pickProfile(undefined, 'aider', aider ? [aider] : []).name, 'aider');
  });

  it('an unknown agent is a usage error naming the profiles there are', () => {
    assert.throws(() => pickProfile(undefined, 'mystery', []), /no profile for "mystery"/);
    assert.throws(() => pickProfile('nope', 'codex', []), /no profile "nope"/);
  });
});
