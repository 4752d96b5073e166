import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import type { AuditKeysConfig } from '../audit/audit-keys.ts';
import { WardenError } from '../errors.ts';
import { GITHUB_TEMPLATE, type GitHubConfig, parseGitHubConfig } from '../github/config.ts';
import { type McpServerConfig, serversOfLayer } from '../mcp/config.ts';
import { readConfigLayer } from '../models/config.ts';
import { GATEWAY_TEMPLATE, type GatewayConfig, parseGatewayConfig } from './gateway-config.ts';
import { AUDIT_KEYS_TEMPLATE, parseAuditKeysConfig } from './kms-config.ts';
import { parseUrlPrefix, type UrlPrefix } from './repository-url.ts';
import { parseSsoConfig, SSO_TEMPLATE, type SsoConfig } from './sso/config.ts';
import { parseTransportConfig, TLS_TEMPLATE, type TransportConfig } from './tls/config.ts';

/** What the operator of a server decides, in `server.yaml` beside the data. */
export interface ServerConfig {
  source: string;
  /** Real paths: a task's repository must be a git work tree inside one of them. */
  repositories: string[];
  /** URL prefixes: a task's repository may be a URL under one of them, cloned by the broker. */
  repositoryUrls: UrlPrefix[];
  /** How URL repositories are cloned, and whether the clone outlives its task. */
  clone: CloneSettings;
  /** Model ids clients may choose; an entry ending in `*` admits every id starting with the rest. */
  models: string[];
  defaultModel: string | undefined;
  /** Policy name → file. `default` is Warden's own policy unless the file names another. */
  policies: Record<string, string>;
  /** Tasks running at once on this server. */
  concurrency: number;
  /** Tasks of one team running at once, when the team sets no limit of its own. */
  teamConcurrency: number;
  /** How long SIGTERM waits for running tasks to reach a turn boundary before interrupting them. */
  drainTimeoutMs: number;
  /** The model gateway's routes; undefined: no `gateway:` section, the gateway is off. */
  gateway?: GatewayConfig;
  /** The MCP gateway at /mcp: the servers it reaches (`mcp_servers:`; none: off) and its limits. */
  mcp?: McpGatewayConfig;
  /** The GitHub App (`github:`); undefined: off. */
  github?: GitHubConfig;
  /** Audit keys in AWS KMS (`audit_keys:`); undefined: both are files under DATA/keys. */
  auditKeys?: AuditKeysConfig;
  /** Single sign-on with an OpenID Connect provider (`sso:`); undefined: API tokens only. */
  sso?: SsoConfig;
  /** HTTPS and mTLS (`tls:`), plain HTTP beyond loopback (`allow_plain_http:`), the database's TLS (`database:`). */
  transport?: TransportConfig;
}

export interface McpGatewayConfig {
  servers: McpServerConfig[];
  /** Tool calls one virtual key may make per minute (`mcp_gateway.calls_per_minute`). */
  callsPerMinute: number;
}

const DEFAULT_CALLS_PER_MINUTE = 60;

export interface CloneSettings {
  /** Commits of history to fetch; 0 for all of it. */
  depth: number;
  timeoutMs: number;
  /** Keep a finished task's clone under DATA/work instead of removing it. */
  keep: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const fileSchema = z.strictObject({
  repositories: z.array(z.string().min(1)).default([]),
  repository_urls: z.array(z.string().min(1)).default([]),
  clone: z
    .strictObject({
      depth: z.number().int().min(0).default(1),
      timeout: z.number().positive().default(600),
      keep: z.boolean().default(false),
    })
    .default({ depth: 1, timeout: 600, keep: false }),
  models: z.array(z.string().min(1)).default([]),
  default_model: z.string().min(1).optional(),
  policies: z
    .record(z.string().regex(NAME, 'policy names are letters, digits, ".", "_" and "-"'), z.string().min(1))
    .default({}),
  concurrency: z.number().int().positive().default(2),
  team_concurrency: z.number().int().positive().optional(),
  drain_timeout: z.number().positive().default(30),
  gateway: z.unknown().optional(),
  mcp_servers: z.unknown().optional(),
  github: z.unknown().optional(),
  audit_keys: z.unknown().optional(),
  sso: z.unknown().optional(),
  tls: z.unknown().optional(),
  allow_plain_http: z.unknown().optional(),
  database: z.unknown().optional(),
  mcp_gateway: z
    .strictObject({
      calls_per_minute: z.number().int().positive().default(DEFAULT_CALLS_PER_MINUTE),
    })
    .optional(),
});

export const CONFIG_TEMPLATE = `# warden serve: what this server allows. Paths are absolute or relative to this file.

# A task's repository must be a git work tree inside one of these directories: a path is an
# authority (the agent reads and writes there), so clients can only pick among what is listed.
repositories: []

# Or a git URL under one of these prefixes (https://, http:// to this machine only, file:///),
# cloned by the broker into DATA/work/<task> with the credential your user config holds for the
# host (never a token in the URL), removed when the task ends unless clone.keep is true.
repository_urls: []
# clone: { depth: 1, timeout: 600, keep: false }

# Model ids clients may choose (GET /v1/models lists them); "script:/dir/*" admits every scripted
# model in /dir. Provider keys come from this process's environment, as for warden exec.
models: []
# default_model: anthropic:claude-sonnet-4-5

# Policies by name; clients pass a name, never a file. "default" is Warden's built-in policy.
policies: {}

# Tasks running at once on this server, and per team (a team's own limit overrides the latter).
concurrency: 2
# team_concurrency: 2

# Seconds SIGTERM waits for running tasks to reach a turn boundary before interrupting them.
drain_timeout: 30
${GATEWAY_TEMPLATE}
# The MCP gateway at /mcp (Streamable HTTP) for clients holding a virtual key: the tools of these
# servers, each call judged by the policy of the key's team and recorded in the gateway's log.
# mcp_servers:
#   jira: { url: https://mcp.example.com/mcp }
# mcp_gateway: { calls_per_minute: 60 }                # per virtual key
${GITHUB_TEMPLATE}${AUDIT_KEYS_TEMPLATE}${SSO_TEMPLATE}${TLS_TEMPLATE}`;

/**
 * Reads the server's config; when the file does not exist it is written from the template first,
 * so a new user finds where to allow their repositories.
 */
export function loadServerConfig(file: string, overrides: { concurrency?: number } = {}): ServerConfig {
  if (!existsSync(file)) writeFileSync(file, CONFIG_TEMPLATE, { mode: 0o600 });
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8')) ?? {};
  } catch (error) {
    throw new WardenError('server.config', `cannot read the server config: ${(error as Error).message}`, {
      where: file,
    });
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new WardenError('server.config', `${issue?.path.join('.') || 'the file'}: ${issue?.message}`, {
      where: file,
      hint: 'see the comments in a fresh server.yaml (delete it and start warden serve again)',
    });
  }
  const config = parsed.data;
  const base = dirname(file);
  const repositories = config.repositories.map((root, index) => {
    const path = resolve(base, root);
    try {
      return realpathSync(path);
    } catch {
      throw new WardenError('server.config', `repositories[${index}]: ${path} does not exist`, {
        where: file,
      });
    }
  });
  const repositoryUrls = config.repository_urls.map((text, index) => {
    const prefix = parseUrlPrefix(text);
    if ('problem' in prefix) {
      throw new WardenError('server.config', `repository_urls[${index}]: ${text} ${prefix.problem}`, {
        where: file,
        ...(prefix.hint ? { hint: prefix.hint } : {}),
      });
    }
    return prefix;
  });
  const policies = Object.fromEntries(
    Object.entries(config.policies).map(([name, path]) => [
      name,
      isAbsolute(path) ? path : resolve(base, path),
    ]),
  );
  const github = parseGitHubConfig(config.github, file);
  const auditKeys = parseAuditKeysConfig(config.audit_keys, file);
  const sso = parseSsoConfig(config.sso, file);
  for (const route of github?.repositories ?? []) {
    if (route.policy !== 'default' && policies[route.policy] === undefined)
      throw new WardenError('server.config', `github: no policy named "${route.policy}"`, {
        where: route.where,
        hint: `name one of policies: (${['default', ...Object.keys(policies)].join(', ')})`,
      });
  }
  return {
    source: file,
    repositories,
    repositoryUrls,
    clone: {
      depth: config.clone.depth,
      timeoutMs: config.clone.timeout * 1000,
      keep: config.clone.keep,
    },
    models: config.models.map((id) => (id.startsWith('script:') ? scriptPath(id, base) : id)),
    defaultModel: config.default_model,
    policies,
    concurrency: overrides.concurrency ?? config.concurrency,
    teamConcurrency: config.team_concurrency ?? overrides.concurrency ?? config.concurrency,
    drainTimeoutMs: config.drain_timeout * 1000,
    gateway: parseGatewayConfig(config.gateway, file, (id) =>
      id.startsWith('script:') ? scriptPath(id, base) : id,
    ),
    ...(config.mcp_servers === undefined
      ? {}
      : {
          mcp: {
            // Read again with positions, so an error names its line.
            servers: serversOfLayer(readConfigLayer(file, 'user')),
            callsPerMinute: config.mcp_gateway?.calls_per_minute ?? DEFAULT_CALLS_PER_MINUTE,
          },
        }),
    ...(github ? { github } : {}),
    ...(auditKeys ? { auditKeys } : {}),
    ...(sso ? { sso } : {}),
    transport: parseTransportConfig(config, file),
  };
}

/** Scripted models name files: relative ones are relative to the config, like every other path. */
function scriptPath(id: string, base: string): string {
  const file = id.slice('script:'.length);
  return `script:${isAbsolute(file) ? file : resolve(base, file)}`;
}

/** Whether a model id is one the config offers. */
export function modelAllowed(config: ServerConfig, id: string): boolean {
  return config.models.some((entry) =>
    entry.endsWith('*') ? id.startsWith(entry.slice(0, -1)) && !id.includes('..') : entry === id,
  );
}

/** Every policy name a client may pass: the configured ones and `default`. */
export function policyNames(config: ServerConfig): string[] {
  return [...new Set(['default', ...Object.keys(config.policies)])].sort();
}
