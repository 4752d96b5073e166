import type { Bind } from '../sandbox/bwrap-args.ts';

/**
 * What a profile knows about one third-party agent: how to point it at Warden's gateway with the
 * session's virtual key, how to switch off what it would do on its own (its sandbox, approvals,
 * updates, telemetry), and how its shell commands reach Warden's policy.
 */
export interface AgentProfile {
  name: string;
  /** One line for `warden wrap --help`. */
  description: string;
  /** Program names (`codex`, `claude`) that pick this profile when none is named. */
  programs: string[];
  prepare(context: ProfileContext): PreparedAgent;
}

/** Where the session's pieces are, as the agent sees them from inside the sandbox. */
export interface ProfileContext {
  /** Host directory that becomes the agent's HOME: write its configuration here. */
  homeDir: string;
  /** The same directory as the agent sees it. */
  home: string;
  /** Host directory for files bound read-only elsewhere (see PreparedAgent.binds). */
  filesDir: string;
  /** The gateway inside: `http://warden:4000` (Anthropic clients) and `…/v1` (OpenAI clients). */
  gatewayUrl: string;
  openaiBaseUrl: string;
  /** The session's virtual key: all the agent ever holds. */
  key: string;
  /**
   * Warden's MCP gateway inside (`http://warden:4000/mcp`, the same virtual key as a bearer token),
   * when MCP servers are configured: the agent's only MCP server. Undefined: it gets none.
   */
  mcpUrl?: string;
  /** The command service's socket (same path inside and out). */
  commandSocket: string;
  /** Node inside the sandbox, and the Claude hook script (same paths inside and out). */
  nodePath: string;
  claudeHookScript: string;
  workspace: string;
}

/**
 * - `shell`: Warden's shim stands in front of /bin/sh and /bin/bash (shell-shim.ts).
 * - `claude-hooks`: Claude Code's own PreToolUse hook asks Warden (claude-hook.ts).
 */
export type CommandGovernance = 'shell' | 'claude-hooks';

export interface PreparedAgent {
  env: Record<string, string>;
  /** Inserted right after the program's name. */
  args: string[];
  binds: Bind[];
  commands: CommandGovernance;
}

/** Variables that turn off what most agent CLIs would otherwise fetch or send on their own. */
export const QUIET_ENV: Record<string, string> = {
  DO_NOT_TRACK: '1',
  NO_UPDATE_NOTIFIER: '1',
};

export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
