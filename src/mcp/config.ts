import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { WardenError } from '../errors.ts';
import { CONFIG_FILE_NAMES, type ConfigLayer, readConfigLayer, userConfigDir } from '../models/config.ts';
import { parseDuration } from '../policy/quantities.ts';
import { SERVER_NAME } from './tool-names.ts';

/** A server run as a program: inside the session's sandbox, speaking MCP on its stdin and stdout. */
export interface StdioServerConfig {
  name: string;
  transport: 'stdio';
  command: string;
  args: string[];
  /** Plain settings only: the sandbox keeps dangerous names out, and no secret belongs here. */
  env: Record<string, string>;
  /** Host paths the server may read, shown read-only at the same place (its installation). */
  readOnly: string[];
  /** Workspace-relative directory it starts in. */
  cwd?: string;
  /**
   * It may change the workspace (`write_workspace: true`, the user's config only); otherwise it
   * sees the workspace read-only. What a writing server changes is judged after each call.
   */
  writeWorkspace: boolean;
  callTimeoutMs: number;
  /** A config file, or `.mcp.json` of the repository. */
  source: string;
  /** `repo`: offered by the repository; a person decides whether it runs. */
  trust: 'user' | 'repo';
}

/** A server reached over Streamable HTTP from the host; its token stays with the broker. */
export interface HttpServerConfig {
  name: string;
  transport: 'http';
  url: string;
  /** A name under `credentials:` whose token is sent as a bearer token, to that credential's host only. */
  credential?: string;
  /** OAuth 2.1: tokens from `warden mcp login NAME`, kept in the user's state. */
  oauth: boolean;
  callTimeoutMs: number;
  source: string;
  trust: 'user';
}

export type McpServerConfig = StdioServerConfig | HttpServerConfig;

/** What a repository offers but may not start by itself, with why it was not taken as is. */
export interface OfferedServer {
  config: StdioServerConfig;
}

export interface McpServerSet {
  servers: McpServerConfig[];
  /** Stdio servers the repository names: each is asked about before it runs, in the sandbox. */
  offered: OfferedServer[];
  /** Entries of the repository's that cannot even be offered (an HTTP server, a credential), and why. */
  refused: Array<{ name: string; source: string; reason: string }>;
}

const DEFAULT_CALL_TIMEOUT_MS = 120_000;

const serverName = z.string().regex(SERVER_NAME, {
  error: 'must be a lower-case name of letters, digits and "-" (no "_" or "."), starting with a letter',
});
const timeout = z
  .string({ error: 'must be a duration like 30s or 2m' })
  .refine((s) => parseDuration(s) !== undefined, { error: 'must be a duration like 30s or 2m' })
  .optional();
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

const stdioSchema = z.strictObject({
  command: z.string({ error: 'must be the program to run' }).min(1, { error: 'must not be empty' }),
  args: z.array(z.string(), { error: 'must be a list of strings' }).optional(),
  env: z
    .record(z.string().regex(envName, { error: 'must be an environment variable name' }), z.string())
    .optional(),
  read_only: z
    .array(
      z.string().refine((p) => isAbsolute(p), { error: 'must be an absolute host path' }),
      { error: 'must be a list of absolute host paths' },
    )
    .optional(),
  cwd: z.string().optional(),
  write_workspace: z.boolean({ error: 'must be true or false' }).optional(),
  call_timeout: timeout,
});

const httpSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  credential: z.string().min(1).optional(),
  oauth: z.boolean({ error: 'must be true or false' }).optional(),
  call_timeout: timeout,
});

const entrySchema = z.union([stdioSchema, httpSchema], {
  error: 'must be {command, args?, env?, read_only?, cwd?} or {url, credential? | oauth?}',
});

const serversSchema = z.record(serverName, entrySchema, {
  error: 'must be a mapping of server name to its settings',
});

/**
 * The MCP servers of a run: the user's config decides; the repository's config and `.mcp.json`
 * only offer. `userDir: null` reads no user config (tests pass their own).
 */
export function loadMcpServers(
  repoRoot: string,
  options: { env: NodeJS.ProcessEnv; userDir?: string | null; hostServers?: McpServerConfig[] },
): McpServerSet {
  const userDir = options.userDir === undefined ? userConfigDir(options.env) : options.userDir;
  const userFile = userDir === null ? undefined : configFileIn(userDir);
  const repoFile = configFileIn(repoRoot);
  const set: McpServerSet = { servers: [], offered: [], refused: [] };
  const taken = new Set<string>();
  const servers = [
    ...(options.hostServers ?? []),
    ...(userFile === undefined ? [] : serversOfLayer(readConfigLayer(userFile, 'user'))),
  ];
  for (const server of servers) {
    if (taken.has(server.name)) continue;
    taken.add(server.name);
    set.servers.push(server);
  }
  const repoLayers =
    repoFile !== undefined && repoFile !== userFile ? [readConfigLayer(repoFile, 'repo')] : [];
  const dotMcp = join(repoRoot, '.mcp.json');
  if (existsSync(dotMcp)) {
    const layer = dotMcpLayer(dotMcp);
    if ('refused' in layer) set.refused.push({ name: '.mcp.json', source: dotMcp, reason: layer.refused });
    else repoLayers.push(layer);
  }
  for (const layer of repoLayers) offeredOfLayer(layer, taken, set);
  return set;
}

/** The `mcp_servers:` of a trusted layer (user config, server.yaml), each error pointing into its file. */
export function serversOfLayer(layer: ConfigLayer): McpServerConfig[] {
  const data = layer.data as Record<string, unknown> | null;
  if (data === null || typeof data !== 'object' || data.mcp_servers === undefined) return [];
  const entries = data.mcp_servers;
  const isMapping = typeof entries === 'object' && entries !== null && !Array.isArray(entries);
  const badName = isMapping ? Object.keys(entries).find((name) => !SERVER_NAME.test(name)) : undefined;
  if (badName !== undefined)
    throw new WardenError(
      'config.invalid',
      `"mcp_servers.${badName}": a server's name must be lower-case letters, digits and "-", starting with a letter (no "_" or ".")`,
      {
        where: layer.locate?.(['mcp_servers', badName]) ?? layer.source,
        hint: 'the name prefixes its tools (name__tool), so it may not hold what separates them',
      },
    );
  const parsed = serversSchema.safeParse(data.mcp_servers);
  if (!parsed.success) throw invalid(layer, parsed.error.issues[0]);
  return Object.entries(parsed.data).map(([name, entry]) => toServer(name, entry, layer.source, 'user'));
}

function offeredOfLayer(layer: ConfigLayer, taken: Set<string>, set: McpServerSet): void {
  const data = layer.data as Record<string, unknown> | null;
  const entries = data?.mcp_servers;
  if (entries === undefined || entries === null || typeof entries !== 'object') return;
  for (const [name, raw] of Object.entries(entries as Record<string, unknown>)) {
    // The user's server of that name wins; the repository cannot replace it.
    if (taken.has(name)) continue;
    const refuse = (reason: string) => set.refused.push({ name, source: layer.source, reason });
    if (!SERVER_NAME.test(name)) {
      refuse('its name is not a valid server name (lower-case letters, digits and "-")');
      continue;
    }
    const stdio = stdioSchema.safeParse(raw);
    if (!stdio.success) {
      refuse(
        httpSchema.safeParse(raw).success
          ? 'a repository may not choose a server Warden reaches from the host; add it to your user config'
          : `its settings are not valid: ${stdio.error.issues[0]?.message ?? 'invalid'}`,
      );
      continue;
    }
    if (stdio.data.read_only?.length) {
      refuse('a repository may not choose host paths a server reads (read_only); add it to your user config');
      continue;
    }
    if (stdio.data.write_workspace) {
      refuse(
        'a repository may not let a server it offers change the workspace (write_workspace); add it to your user config',
      );
      continue;
    }
    taken.add(name);
    set.offered.push({ config: toServer(name, stdio.data, layer.source, 'repo') as StdioServerConfig });
  }
}

function toServer(
  name: string,
  entry: z.infer<typeof entrySchema>,
  source: string,
  trust: 'user' | 'repo',
): McpServerConfig {
  const callTimeoutMs =
    (entry.call_timeout === undefined ? undefined : parseDuration(entry.call_timeout)) ??
    DEFAULT_CALL_TIMEOUT_MS;
  if ('url' in entry) {
    return {
      name,
      transport: 'http',
      url: entry.url,
      ...(entry.credential === undefined ? {} : { credential: entry.credential }),
      oauth: entry.oauth === true,
      callTimeoutMs,
      source,
      trust: 'user',
    };
  }
  return {
    name,
    transport: 'stdio',
    command: entry.command,
    args: entry.args ?? [],
    env: entry.env ?? {},
    readOnly: entry.read_only ?? [],
    ...(entry.cwd === undefined ? {} : { cwd: entry.cwd }),
    writeWorkspace: trust === 'user' && entry.write_workspace === true,
    callTimeoutMs,
    source,
    trust,
  };
}

/**
 * `.mcp.json` as Claude Code and others write it (`{"mcpServers": {name: {command, args, env}}}`),
 * read as a repository layer of `mcp_servers`. Its HTTP entries are refused like any other.
 */
function dotMcpLayer(file: string): ConfigLayer | { refused: string } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    // The repository's file, not the user's: what it offers is left out, the session goes on.
    return { refused: `not valid JSON, so nothing it offers is used: ${(error as Error).message}` };
  }
  const servers = (data as { mcpServers?: unknown } | null)?.mcpServers;
  const entries =
    servers && typeof servers === 'object'
      ? Object.fromEntries(
          Object.entries(servers as Record<string, Record<string, unknown>>).map(([name, entry]) => [
            name,
            entry && typeof entry === 'object'
              ? Object.fromEntries(Object.entries(entry).filter(([key]) => key !== 'type'))
              : entry,
          ]),
        )
      : {};
  return { trust: 'repo', source: file, data: { mcp_servers: entries } };
}

function invalid(layer: ConfigLayer, issue: z.core.$ZodIssue | undefined): WardenError {
  const path = [
    ...(issue?.path ?? []),
    ...(issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : []),
  ].filter((p): p is string | number => typeof p !== 'symbol');
  const key = ['mcp_servers', ...path].map(String).join('.');
  const message = issue?.code === 'unrecognized_keys' ? 'is not a known key' : (issue?.message ?? 'invalid');
  return new WardenError('config.invalid', `"${key}" ${message}`, {
    where: layer.locate?.(['mcp_servers', ...path]) ?? layer.source,
    hint: 'see "MCP servers" in the README',
  });
}

function configFileIn(dir: string): string | undefined {
  return CONFIG_FILE_NAMES.map((name) => join(dir, name)).find((file) => existsSync(file));
}
