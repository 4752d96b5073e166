import { WardenError } from '../errors.ts';
import { claudeProfile } from './claude-profile.ts';
import { codexProfile } from './codex-profile.ts';
import { type AgentProfile, QUIET_ENV } from './profile.ts';

/** For an agent with no profile of its own: both vendors' usual variables, commands through the shim. */
export const genericProfile: AgentProfile = {
  name: 'generic',
  description: 'any agent that reads OPENAI_BASE_URL/OPENAI_API_KEY or ANTHROPIC_BASE_URL/ANTHROPIC_API_KEY',
  programs: [],
  prepare(context) {
    return {
      env: {
        ...QUIET_ENV,
        OPENAI_BASE_URL: context.openaiBaseUrl,
        OPENAI_API_KEY: context.key,
        ANTHROPIC_BASE_URL: context.gatewayUrl,
        ANTHROPIC_API_KEY: context.key,
        ...(context.mcpUrl === undefined ? {} : { WARDEN_MCP_URL: context.mcpUrl }),
        SHELL: '/bin/bash',
      },
      args: [],
      binds: [],
      commands: 'shell',
    };
  },
};

export const BUILTIN_PROFILES: readonly AgentProfile[] = [codexProfile, claudeProfile, genericProfile];

/** A program's name as profiles list it: `codex.js` and `claude.exe` are codex and claude. */
export function programName(program: string): string {
  const base = program.split('/').at(-1) ?? program;
  return base.replace(/\.(js|mjs|cjs|exe)$/, '');
}

/** `--profile NAME` when given, else the profile whose programs include the agent's name. */
export function pickProfile(
  requested: string | undefined,
  program: string,
  configured: readonly AgentProfile[],
): AgentProfile {
  const all = [...BUILTIN_PROFILES, ...configured];
  const names = all.map((profile) => profile.name).join(', ');
  if (requested !== undefined) {
    const found = all.find((profile) => profile.name === requested);
    if (found === undefined) {
      throw new WardenError('usage', `no profile "${requested}"`, {
        hint: `pick one of: ${names} (others are defined under agents: in your user config)`,
      });
    }
    return found;
  }
  const name = programName(program);
  const found = all.find((profile) => profile.programs.includes(name));
  if (found === undefined) {
    throw new WardenError('usage', `no profile for "${name}"`, {
      hint: `pass --profile with one of: ${names}, or define one under agents: in your user config`,
    });
  }
  return found;
}
