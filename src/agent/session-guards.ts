import type { CredentialStore } from '../broker/credentials.ts';
import { registryEndpoints } from '../broker/registry-config.ts';
import { createRegistryLookup } from '../broker/registry-lookup.ts';
import {
  configuredCredentials,
  openSessionBroker,
  type SessionBroker,
  type UserCredentialsSection,
} from '../broker/session-broker.ts';
import { createDependencyCheck, type DependencyCheck } from '../guard/dependency-check.ts';
import type { Redactor } from '../guard/redactor.ts';
import { findSecretFiles, type SecretFiles } from '../guard/secret-files.ts';
import { sessionRedactor } from '../guard/session-redactor.ts';
import { loadMcpServers, type McpServerConfig } from '../mcp/config.ts';
import { oauthStateDir } from '../mcp/oauth-state.ts';
import { defaultPinFile, openPinStore } from '../mcp/tool-pins.ts';
import { sessionTransports } from '../mcp/transports.ts';
import { type ConfigLayer, loadUserConfigLayer } from '../models/config.ts';
import { likeMatcher } from '../policy/like.ts';
import { askForSecretFiles } from '../policy/secret-files.ts';
import type { Policy } from '../policy/types.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { LaunchOptions } from './launch.ts';
import { shellOptions } from './policy-settings.ts';

/** The guards of one session, and the launch options they become. */
export interface SessionGuards {
  redactor: Redactor;
  broker: SessionBroker;
  /**
   * Spread into `launchSession`'s options after the host's own: every host of a session passes
   * exactly these. `policy` is the host's, with the files that hold known secrets asked about.
   */
  launch: Required<Pick<LaunchOptions, 'redactor' | 'checkDependency' | 'flagged' | 'tools' | 'policy'>> &
    Pick<LaunchOptions, 'mcp'>;
}

/**
 * The guards every session runs with, whoever hosts it (`warden exec`, `warden serve`): the
 * redactor (keys in the environment, the repository's `.env` values, every credential the broker
 * holds), the broker (credentials from the user's own config, and those moved out of the remote
 * URLs before the agent can read `.git/config`; pushes and pull requests made on the host), and the
 * registry check of new dependencies. Untrusted-content marking is `launchSession`'s own. One
 * function, so that no host can build a session with fewer of them.
 */
export async function openSessionGuards(options: {
  root: string;
  policy: Policy;
  env: NodeJS.ProcessEnv;
  /**
   * The session's sandbox: files that hold a known secret are masked in it, like `.env`; its
   * stdio MCP servers run in it.
   */
  sandbox: { mask(paths: Iterable<string>): void; sandbox?: Sandbox };
  /**
   * MCP servers the host adds to the user's (server.yaml's `mcp_servers`), and where the tool pins
   * are kept (default: the user's state).
   */
  mcp?: { servers?: McpServerConfig[]; pinFile?: string };
}): Promise<SessionGuards> {
  const { root, policy, env } = options;
  const user = loadUserConfigLayer(env);
  const redactor = await sessionRedactor(root, env);
  const broker = await openSessionBroker({
    root,
    env,
    redact: (text) => redactor.redact(text),
    ...credentialsSection(user),
  });
  redactor.addKnown(broker.credentials.secrets());
  const secretFiles = await findSecretFiles(
    root,
    (text) => redactor.knownKeyIn(text),
    likeMatcher(policy.deniedPaths),
  );
  options.sandbox.mask(secretFiles.files.keys());
  const mcp = mcpServers(options, redactor, broker);
  return {
    redactor,
    broker,
    launch: {
      redactor,
      checkDependency: dependencyCheck(policy, env, user),
      policy: askForSecretFiles(policy, secretFiles.files),
      flagged: [
        ...broker.moved.map((moved) => ({
          source: `.git/config ${moved.key}`,
          rule: moved.rule ?? 'credential-in-remote-url',
          detail: moved.url
            ? `the credential in this URL was moved to Warden's broker as "${moved.name}" (for ${moved.host}); the URL now reads ${moved.url}`
            : `the credential in this setting was moved to Warden's broker as "${moved.name}" (for ${moved.host || 'no host: redacted, never sent'}); the setting was removed`,
        })),
        ...secretFileFlags(secretFiles),
      ],
      tools: { shell: { ...shellOptions(policy), broker: broker.push, pullRequests: broker.pullRequests } },
      ...(mcp ? { mcp } : {}),
    },
  };
}

/**
 * The session's MCP servers — the user's (and the host's), and the repository's offers — and how to
 * reach them; none configured or offered, none at all.
 */
function mcpServers(
  options: Parameters<typeof openSessionGuards>[0],
  redactor: Redactor,
  broker: SessionBroker,
): LaunchOptions['mcp'] {
  const servers = loadMcpServers(options.root, {
    env: options.env,
    ...(options.mcp?.servers ? { hostServers: options.mcp.servers } : {}),
  });
  if (servers.servers.length + servers.offered.length + servers.refused.length === 0) return undefined;
  return {
    servers,
    pins: openPinStore(options.mcp?.pinFile ?? defaultPinFile(options.env)),
    transport: sessionTransports({
      ...(options.sandbox.sandbox ? { sandbox: options.sandbox.sandbox } : {}),
      http: {
        credentials: broker.credentials,
        known: (values) => redactor.addKnown(values),
        oauthDir: oauthStateDir(options.env),
      },
    }),
  };
}

/** The credentials the user declared (user config only): what the broker clones a repository with. */
export function userCredentials(env: NodeJS.ProcessEnv): CredentialStore {
  return configuredCredentials(env, credentialsSection(loadUserConfigLayer(env)).userConfig);
}

function credentialsSection(layer: ConfigLayer | undefined): { userConfig?: UserCredentialsSection } {
  const data = layer?.data as { credentials?: unknown } | undefined;
  if (!layer || data?.credentials === undefined) return {};
  return {
    userConfig: {
      section: data.credentials,
      source: layer.source,
      where: (path) => layer.locate?.(path) ?? layer.source,
    },
  };
}

/**
 * Registries from the environment or the user's own config file (never the repository's),
 * thresholds from the policy, answers kept for the session.
 */
function dependencyCheck(
  policy: Policy,
  env: NodeJS.ProcessEnv,
  user: ConfigLayer | undefined,
): DependencyCheck {
  const lookup = createRegistryLookup({ endpoints: registryEndpoints(env, user) });
  const rules = policy.dependencies;
  return createDependencyCheck({
    lookup: (ecosystem, name) => lookup.lookup(ecosystem, name),
    thresholds: {
      ...(rules?.minAgeDays === undefined ? {} : { minAgeDays: rules.minAgeDays }),
      ...(rules?.minWeeklyDownloads === undefined ? {} : { minWeeklyDownloads: rules.minWeeklyDownloads }),
    },
  });
}

/** Each file that holds a known secret, and what the search did not cover, for the record. */
function secretFileFlags(found: SecretFiles): Array<{ source: string; rule: string; detail: string }> {
  const flags = [...found.files].map(([path, kind]) => ({
    source: path,
    rule: 'known-secret-in-file',
    detail: `the file holds the value of a known secret (${kind}): masked in the sandbox, and reading or changing it is asked`,
  }));
  if (!found.complete || found.skipped.length > 0)
    flags.push({
      source: 'workspace',
      rule: 'secret-file-search-bounded',
      detail: `${found.searched} files were searched for known secret values${found.complete ? '' : ' before a bound was reached'}${found.skipped.length ? `; ${found.skipped.length} larger than 1 MiB were not (${found.skipped.slice(0, 3).join(', ')}${found.skipped.length > 3 ? ', …' : ''})` : ''}: files not searched are not masked`,
    });
  return flags;
}
