import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { WardenError } from '../errors.ts';
import { CONFIG_FILE_NAMES, type ConfigLayer, readConfigLayer, userConfigDir } from '../models/config.ts';
import { isDangerousEnvName } from '../sandbox/sandbox-env.ts';
import type { AgentProfile } from './profile.ts';
import { QUIET_ENV } from './profile.ts';

/**
 * Profiles for agents Warden has no built-in profile for, under `agents:` in the user's
 * warden.config.yaml:
 *
 *   agents:
 *     aider:
 *       programs: [aider]              # program names that pick it (default: its own name)
 *       api: openai                    # the wire format it speaks: openai | anthropic
 *       base_url_env: [OPENAI_API_BASE] # variables that get the gateway's base URL
 *       key_env: [OPENAI_API_KEY]      # variables that get the session's virtual key
 *       env: { AIDER_ANALYTICS: "false" }
 *       args: [--no-auto-commits]      # inserted right after the program's name
 *
 * A profile says what runs and with what, so the repository's config may not define one.
 */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');
const DANGEROUS = 'is a variable that injects code into programs; the sandbox never sets it';
const safeEnvName = envName.refine((name) => !isDangerousEnvName(name), { message: DANGEROUS });
const profileName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"');

export const agentEntrySchema = z.strictObject({
  programs: z.array(z.string().min(1)).optional(),
  api: z.enum(['openai', 'anthropic']),
  base_url_env: z.array(safeEnvName).min(1),
  key_env: z.array(safeEnvName).min(1),
  env: z
    .record(envName, z.string())
    .superRefine((env, context) => {
      for (const name of Object.keys(env).filter(isDangerousEnvName)) {
        context.addIssue({ code: 'custom', path: [name], message: DANGEROUS });
      }
    })
    .optional(),
  args: z.array(z.string()).optional(),
  commands: z.enum(['shell', 'claude-hooks']).optional(),
});

const agentsSchema = z.record(profileName, agentEntrySchema);

export type AgentEntry = z.infer<typeof agentEntrySchema>;

/** A profile from a validated entry. */
export function configuredProfile(name: string, entry: AgentEntry): AgentProfile {
  return {
    name,
    description: `from your config: ${entry.api} API`,
    programs: entry.programs ?? [name],
    prepare(context) {
      const url = entry.api === 'openai' ? context.openaiBaseUrl : context.gatewayUrl;
      const env: Record<string, string> = { ...QUIET_ENV, ...entry.env };
      for (const variable of entry.base_url_env) env[variable] = url;
      for (const variable of entry.key_env) env[variable] = context.key;
      return { env, args: entry.args ?? [], binds: [], commands: entry.commands ?? 'shell' };
    },
  };
}

/** The `agents:` entries of one config layer, each pointing into its file when wrong. */
export function agentsOfLayer(layer: ConfigLayer, builtins: readonly string[]): AgentProfile[] {
  const data = layer.data as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object' || !('agents' in data)) return [];
  const where = (path: readonly PropertyKey[]) => layer.locate?.(['agents', ...path]) ?? layer.source;
  if (layer.trust === 'repo') {
    throw new WardenError(
      'config.untrusted',
      '"agents" may not be set in the repository\'s config: a profile says what runs with your gateway key',
      {
        where: where([]),
        hint: 'move it to your user config: warden.config.yaml in $XDG_CONFIG_HOME/warden or ~/.config/warden',
      },
    );
  }
  const parsed = agentsSchema.safeParse(data.agents ?? {});
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = [
      ...(issue?.path ?? []),
      ...(issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : []),
    ];
    const key = ['agents', ...path].map(String).join('.');
    throw new WardenError('config.invalid', `"${key}": ${issue?.message ?? 'invalid'}`, {
      where: where(path),
    });
  }
  return Object.entries(parsed.data).map(([name, entry]) => {
    if (builtins.includes(name)) {
      throw new WardenError('config.invalid', `"agents.${name}": ${name} is a built-in profile`, {
        where: where([name]),
        hint: 'give your profile another name and pick it with --profile',
      });
    }
    return configuredProfile(name, entry);
  });
}

/**
 * The configured profiles: the user's config file only, but the repository's is read too, to
 * refuse one that tries to define them.
 */
export function loadConfiguredProfiles(
  repoRoot: string,
  options: { env: NodeJS.ProcessEnv; userDir?: string | null; builtins: readonly string[] },
): AgentProfile[] {
  const repoFile = configFileIn(repoRoot);
  const userDir = options.userDir === undefined ? userConfigDir(options.env) : options.userDir;
  const userFile = userDir === null ? undefined : configFileIn(userDir);
  const profiles: AgentProfile[] = [];
  if (repoFile !== undefined && repoFile !== userFile) {
    agentsOfLayer(readConfigLayer(repoFile, 'repo'), options.builtins);
  }
  if (userFile !== undefined)
    profiles.push(...agentsOfLayer(readConfigLayer(userFile, 'user'), options.builtins));
  return profiles;
}

/** loadModelConfig has already refused a directory with more than one config file. */
function configFileIn(dir: string): string | undefined {
  return CONFIG_FILE_NAMES.map((name) => join(dir, name)).find((file) => existsSync(file));
}
