import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CLAUDE_MANAGED_SETTINGS, claudeProfile } from './claude-profile.ts';
import { codexProfile } from './codex-profile.ts';
import type { ProfileContext } from './profile.ts';
import { genericProfile } from './profiles.ts';

const dir = mkdtempSync(join(tmpdir(), 'warden-profiles-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const context: ProfileContext = {
  homeDir: dir,
  home: '/home/warden',
  filesDir: dir,
  gatewayUrl: 'http://warden:4000',
  openaiBaseUrl: 'http://warden:4000/v1',
  key: 'wk-0123456789abcdefghijklmnopqrstuv',
  commandSocket: "/tmp/it's/commands.sock",
  nodePath: '/opt/node/bin/node',
  claudeHookScript: '/w/src/wrap/claude-hook.ts',
  workspace: '/srv/repo',
};

describe('codex profile', () => {
  const prepared = codexProfile.prepare(context);
  const config = readFileSync(join(dir, '.codex', 'config.toml'), 'utf8');

  it('points Codex at the gateway through a Responses provider that reads the key from the environment', () => {
    assert.match(config, /^model_provider = "warden"$/m);
    assert.match(
      config,
      /\[model_providers\.warden\]\nname = "Warden gateway"\nbase_url = "http:\/\/warden:4000\/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"/,
    );
    assert.ok(!config.includes(context.key), 'the key travels in the environment, not in a file');
    assert.equal(prepared.env.OPENAI_API_KEY, context.key);
    assert.equal(prepared.env.OPENAI_BASE_URL, 'http://warden:4000/v1');
    assert.equal(prepared.env.CODEX_HOME, '/home/warden/.codex');
  });

  it("turns off Codex's own sandbox, approvals, updates, telemetry and network features", () => {
    for (const line of [
      'approval_policy = "never"',
      'sandbox_mode = "danger-full-access"',
      'check_for_update_on_startup = false',
      'web_search = "disabled"',
      'shell_snapshot = false',
      'plugins = false',
      'exporter = "none"',
    ]) {
      assert.ok(config.includes(`\n${line}\n`), line);
    }
    assert.match(config, /\[projects\."\/srv\/repo"\]\ntrust_level = "untrusted"/);
    assert.equal(prepared.commands, 'shell');
  });
});

describe('claude profile', () => {
  const prepared = claudeProfile.prepare(context);
  const settings = JSON.parse(readFileSync(join(dir, 'claude-managed-settings.json'), 'utf8'));

  it('installs Warden as the only Bash hook, in the managed settings no project can override', () => {
    assert.deepEqual(prepared.binds, [
      { source: join(dir, 'claude-managed-settings.json'), dest: CLAUDE_MANAGED_SETTINGS },
    ]);
    assert.equal(settings.allowManagedHooksOnly, true);
    const [pre] = settings.hooks.PreToolUse;
    assert.equal(pre.matcher, 'Bash');
    assert.equal(
      pre.hooks[0].command,
      `'/opt/node/bin/node' '/w/src/wrap/claude-hook.ts' '/tmp/it'\\''s/commands.sock' 'pre'`,
    );
    assert.equal(settings.hooks.PostToolUseFailure[0].hooks[0].command.endsWith("'post'"), true);
    assert.equal(prepared.commands, 'claude-hooks');
  });

  it('sends Claude Code to the gateway with the virtual key and switches off its own prompts, sandbox and traffic', () => {
    assert.equal(settings.permissions.defaultMode, 'bypassPermissions');
    assert.equal(settings.sandbox.enabled, false);
    for (const env of [prepared.env, settings.env]) {
      assert.equal(env.ANTHROPIC_BASE_URL, 'http://warden:4000');
      assert.equal(env.ANTHROPIC_API_KEY, context.key);
      assert.equal(env.DISABLE_AUTOUPDATER, '1');
      assert.equal(env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, '1');
    }
    const state = JSON.parse(readFileSync(join(dir, '.claude.json'), 'utf8'));
    assert.equal(state.hasCompletedOnboarding, true);
    assert.deepEqual(state.customApiKeyResponses.approved, [context.key.slice(-20)]);
  });
});

describe('generic profile', () => {
  it("sets both vendors' usual variables", () => {
    const { env } = genericProfile.prepare(context);
    assert.deepEqual(
      [env.OPENAI_BASE_URL, env.OPENAI_API_KEY, env.ANTHROPIC_BASE_URL, env.ANTHROPIC_API_KEY],
      ['http://warden:4000/v1', context.key, 'http://warden:4000', context.key],
    );
  });
});
