import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentProfile, type ProfileContext, QUIET_ENV } from './profile.ts';

/**
 * Codex features that reach the network or run shells of their own: plugin and app catalogues
 * (git ls-remote to github.com), in-app updates, and the shell snapshot (a login shell Codex runs
 * to capture the environment, which the shim would otherwise judge as one of the agent's commands).
 */
const FEATURES_OFF = [
  'shell_snapshot',
  'plugins',
  'remote_plugin',
  'recommended_plugins',
  'apps',
  'in_app_updates',
  'tool_suggest',
  'skill_mcp_dependency_install',
  'image_generation',
];

/** The name Codex is told it talks to; the gateway answers it with the session's model whatever it is. */
const CODEX_MODEL_NAME = 'gpt-5.5';
/** The newer model this Codex offers in its place; recorded as seen, the offer is not made. */
const CODEX_UPGRADE_OFFERED = 'gpt-6-sol';

/** A TOML basic string: JSON's escapes are TOML's. */
function toml(value: string): string {
  return JSON.stringify(value);
}

/** `$CODEX_HOME/config.toml` for one session. */
export function codexConfig(context: ProfileContext): string {
  return [
    "# Written by warden wrap for one session: Codex talks to Warden's gateway with a virtual key,",
    "# and runs commands without a sandbox or approvals of its own: Warden's sandbox contains them",
    "# and Warden's policy judges each one.",
    `model = ${toml(CODEX_MODEL_NAME)}`,
    'model_provider = "warden"',
    'approval_policy = "never"',
    'sandbox_mode = "danger-full-access"',
    'check_for_update_on_startup = false',
    'web_search = "disabled"',
    '',
    '[model_providers.warden]',
    'name = "Warden gateway"',
    `base_url = ${toml(context.openaiBaseUrl)}`,
    'env_key = "OPENAI_API_KEY"',
    'wire_api = "responses"',
    '',
    // Untrusted: Codex then ignores the repository's own .codex/config.toml, which could start MCP
    // servers or set a notify program — code no policy would see.
    `[projects.${toml(context.workspace)}]`,
    'trust_level = "untrusted"',
    '',
    '[notice]',
    'hide_full_access_warning = true',
    '',
    // The full-screen interface would otherwise stop on an offer to switch to a newer model.
    '[notice.model_migrations]',
    `${toml(CODEX_MODEL_NAME)} = ${toml(CODEX_UPGRADE_OFFERED)}`,
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[feedback]',
    'enabled = false',
    '',
    '[otel]',
    'exporter = "none"',
    'trace_exporter = "none"',
    'metrics_exporter = "none"',
    '',
    '[features]',
    ...FEATURES_OFF.map((name) => `${name} = false`),
    '',
    ...(context.mcpUrl === undefined
      ? []
      : [
          // The only MCP server: Warden's gateway, with the session's key from the environment.
          '[mcp_servers.warden]',
          `url = ${toml(context.mcpUrl)}`,
          'bearer_token_env_var = "OPENAI_API_KEY"',
          '',
        ]),
  ].join('\n');
}

export const codexProfile: AgentProfile = {
  name: 'codex',
  description: 'OpenAI Codex CLI: Responses API via a generated config.toml; commands through the shell shim',
  programs: ['codex'],
  prepare(context) {
    const codexHome = join(context.homeDir, '.codex');
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(join(codexHome, 'config.toml'), codexConfig(context));
    return {
      env: {
        ...QUIET_ENV,
        CODEX_HOME: `${context.home}/.codex`,
        OPENAI_BASE_URL: context.openaiBaseUrl,
        OPENAI_API_KEY: context.key,
        SHELL: '/bin/bash',
      },
      args: [],
      binds: [],
      commands: 'shell',
    };
  },
};
