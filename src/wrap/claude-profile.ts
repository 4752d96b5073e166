import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AgentProfile, type ProfileContext, QUIET_ENV, shellQuote } from './profile.ts';

/** Where Claude Code on Linux reads settings that no user, project or flag can override. */
export const CLAUDE_MANAGED_SETTINGS = '/etc/claude-code/managed-settings.json';

/** How long a hook may wait for Warden: an `ask` can wait on a person. */
const HOOK_TIMEOUT_SECONDS = 900;

function claudeEnv(context: ProfileContext): Record<string, string> {
  return {
    ...QUIET_ENV,
    ANTHROPIC_BASE_URL: context.gatewayUrl,
    ANTHROPIC_API_KEY: context.key,
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_BUG_COMMAND: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
    SHELL: '/bin/bash',
  };
}

/**
 * The managed settings: Warden's hook on every Bash call (and only Warden's: a repository's
 * `.claude/settings.json` may not add hooks, which would run code no policy saw), no permission
 * prompts and no sandbox of Claude's own — Warden's policy and sandbox decide — and the gateway
 * pinned, since managed `env` wins over any project's.
 */
export function claudeManagedSettings(context: ProfileContext): object {
  const hook = (phase: 'pre' | 'post') => [
    {
      matcher: 'Bash',
      hooks: [
        {
          type: 'command',
          command: [context.nodePath, context.claudeHookScript, context.commandSocket, phase]
            .map(shellQuote)
            .join(' '),
          timeout: HOOK_TIMEOUT_SECONDS,
        },
      ],
    },
  ];
  return {
    allowManagedHooksOnly: true,
    hooks: { PreToolUse: hook('pre'), PostToolUse: hook('post'), PostToolUseFailure: hook('post') },
    permissions: { defaultMode: 'bypassPermissions' },
    skipDangerousModePermissionPrompt: true,
    sandbox: { enabled: false },
    enableAllProjectMcpServers: false,
    // Warden's MCP gateway is the only MCP server the agent may use, whatever a project or a flag adds.
    allowManagedMcpServersOnly: true,
    allowedMcpServers: context.mcpUrl === undefined ? [] : [{ serverUrl: context.mcpUrl }],
    env: claudeEnv(context),
  };
}

/** The name Claude Code gives the gateway: its tools are `mcp__warden__<server>__<tool>`. */
export const CLAUDE_MCP_NAME = 'warden';

/**
 * `--mcp-config` with the gateway alone, then `--strict-mcp-config`, which also ends the variadic
 * `--mcp-config` before the user's own arguments. Every tool loaded up front (`alwaysLoad`), not
 * deferred behind a search the model may not make.
 */
export function claudeMcpArgs(context: ProfileContext): string[] {
  if (context.mcpUrl === undefined) return ['--strict-mcp-config'];
  const config = {
    mcpServers: {
      [CLAUDE_MCP_NAME]: {
        type: 'http',
        url: context.mcpUrl,
        headers: { Authorization: `Bearer ${context.key}` },
        alwaysLoad: true,
      },
    },
  };
  return ['--mcp-config', JSON.stringify(config), '--strict-mcp-config'];
}

/** `~/.claude.json`: onboarding done and the virtual key accepted, so nothing stops to ask. */
function claudeState(context: ProfileContext): object {
  return {
    hasCompletedOnboarding: true,
    bypassPermissionsModeAccepted: true,
    customApiKeyResponses: { approved: [context.key.slice(-20)], rejected: [] },
  };
}

export const claudeProfile: AgentProfile = {
  name: 'claude',
  description: 'Claude Code: Anthropic Messages API; Bash commands through a managed PreToolUse hook',
  programs: ['claude'],
  prepare(context) {
    writeFileSync(
      join(context.homeDir, '.claude.json'),
      `${JSON.stringify(claudeState(context), null, 2)}\n`,
    );
    const settings = join(context.filesDir, 'claude-managed-settings.json');
    writeFileSync(settings, `${JSON.stringify(claudeManagedSettings(context), null, 2)}\n`);
    return {
      env: claudeEnv(context),
      args: claudeMcpArgs(context),
      binds: [{ source: settings, dest: CLAUDE_MANAGED_SETTINGS }],
      commands: 'claude-hooks',
    };
  },
};
