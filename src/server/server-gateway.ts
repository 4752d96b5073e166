/**
 * The model gateway inside `warden serve`: mounted at /gateway, outside the OpenAPI routes (it
 * speaks the vendors' formats and takes virtual keys, not API tokens), with its keys in the
 * server's store, its routes from server.yaml and its calls in the server's audit log.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { userCredentials } from '../agent/session-guards.ts';
import { type AuditKeys, auditKeysOf } from '../audit/audit-keys.ts';
import type { Durability } from '../audit/index.ts';
import { isWardenError, WardenError } from '../errors.ts';
import { createModelRouter, gatewayPlugin, type ModelRouter, sendClientError } from '../gateway/index.ts';
import { createRedactor, secretsInEnv } from '../guard/redactor.ts';
import { oauthStateDir } from '../mcp/oauth-state.ts';
import type { TransportFactory } from '../mcp/session-tools.ts';
import { openPinStore } from '../mcp/tool-pins.ts';
import { sessionTransports } from '../mcp/transports.ts';
import { buildModelConfig, loadUserConfigLayer, resolveModel } from '../models/index.ts';
import type { Policy } from '../policy/types.ts';
import type { AccountStore } from './account-store.ts';
import type { McpGatewayConfig } from './config.ts';
import { type GatewayAudit, openGatewayAudit } from './gateway-audit.ts';
import type { GatewayConfig } from './gateway-config.ts';
import { createServerKeys, type ServerKeys } from './gateway-keys.ts';
import type { KeyStore } from './key-store.ts';
import { MCP_PATH, MCP_SEALED_TYPES, openServerMcp } from './server-mcp.ts';
import type { Spend } from './task-store.ts';

export const GATEWAY_PREFIX = '/gateway';

export interface ServerGateway {
  keys: ServerKeys;
  /** Undefined while both gateways are off (no `gateway:` or `mcp_servers:` in server.yaml); keys can still be issued. */
  audit: GatewayAudit | undefined;
  /** The model names clients may ask for; empty while off. */
  names: string[];
  /** The MCP servers /mcp reaches; empty while it is off. */
  mcpServers: string[];
  /** Registers /gateway/* and /mcp: the gateways' routes, or an answer saying each is off. */
  mount(app: FastifyInstance): Promise<void>;
  close(): Promise<void>;
}

export async function openServerGateway(options: {
  config: GatewayConfig | undefined;
  /** server.yaml, for errors about the section. */
  source: string;
  store: KeyStore;
  accounts: AccountStore;
  teamSpend: (team: string) => Promise<Spend>;
  /** `mcp_servers:` of server.yaml; undefined or no servers: /mcp is off. */
  mcp?: McpGatewayConfig | undefined;
  /** The server's policies by name, which judge MCP calls (a key's team's). */
  policies?: ReadonlyMap<string, Policy>;
  /**
   * How /mcp reaches the upstream servers; default: Streamable HTTP from this process, with the
   * token its user's `credentials:` hold for a server's host, or its `warden mcp login` sign-in.
   */
  mcpTransport?: TransportFactory;
  /** Where the MCP servers' tool pins are kept: `<dataDir>/mcp-pins.json`. */
  dataDir?: string;
  audit: { dir: string; keyDir: string; keys?: AuditKeys; durability?: Durability };
  env: NodeJS.ProcessEnv;
  cwd: string;
  log: (line: string) => void;
}): Promise<ServerGateway> {
  const keys = createServerKeys(options);
  const { config } = options;
  const routes = config === undefined ? undefined : routerFor(config, options);
  const names = routes?.names() ?? [];
  const mcpConfig = options.mcp?.servers.length ? options.mcp : undefined;
  const mcpServers = mcpConfig?.servers.map((server) => server.name) ?? [];
  const audit =
    routes === undefined && mcpConfig === undefined
      ? undefined
      : await openGatewayAudit({
          ...options.audit,
          routes: names,
          log: options.log,
          ...(mcpConfig === undefined
            ? {}
            : {
                mcpServers,
                encryption: {
                  wrapper: await auditKeysOf(options.audit).wrapper(),
                  types: MCP_SEALED_TYPES,
                },
              }),
        });
  // The provider keys this process holds are what must never travel upstream in a prompt.
  const redactor = createRedactor();
  redactor.addKnown(secretsInEnv(options.env));
  const mcp =
    mcpConfig === undefined || audit === undefined
      ? undefined
      : openServerMcp({
          config: mcpConfig,
          keys: keys,
          accounts: options.accounts,
          policies: options.policies ?? new Map(),
          audit,
          pins: openPinStore(join(options.dataDir ?? options.cwd, 'mcp-pins.json')),
          transport:
            options.mcpTransport ??
            sessionTransports({
              http: {
                credentials: userCredentials(options.env),
                known: (values) => redactor.addKnown(values),
                oauthDir: oauthStateDir(options.env),
              },
            }),
          redactor,
          log: options.log,
        });

  return {
    keys,
    audit,
    names,
    mcpServers,
    async mount(app) {
      if (mcp) mcp.mount(app);
      else
        app.all(MCP_PATH, async (_request, reply) =>
          reply.code(404).send({
            jsonrpc: '2.0',
            error: {
              code: -32001,
              message: `the MCP gateway is off on this server: add mcp_servers: to ${options.source}`,
            },
            id: null,
          }),
        );
      await app.register(
        async (scope) => {
          scope.setNotFoundHandler((request, reply) =>
            routes === undefined
              ? sendClientError(
                  request,
                  reply,
                  'not_found',
                  'gateway.off',
                  `the model gateway is off on this server: add a gateway: section to ${options.source}`,
                )
              : sendClientError(
                  request,
                  reply,
                  'not_found',
                  'gateway.not_found',
                  `no route ${request.method} ${request.url.split('?')[0]} on the Warden gateway`,
                ),
          );
          if (routes === undefined || audit === undefined) return;
          await scope.register(
            gatewayPlugin({
              routes,
              keys: keys.verifier,
              redactor,
              record: (call) => audit.record(call),
              log: options.log,
            }),
          );
        },
        { prefix: GATEWAY_PREFIX },
      );
    },
    async close() {
      await mcp?.endpoint.close();
      await audit?.close();
    },
  };
}

/**
 * Every target resolved now, against the server user's model config (providers, keys from this
 * process's environment): a model that cannot be reached fails the start, naming its line.
 */
function routerFor(
  config: GatewayConfig,
  options: { env: NodeJS.ProcessEnv; cwd: string; source: string },
): ModelRouter {
  const user = loadUserConfigLayer(options.env);
  // The gateway's default is its own: not the user config's default_model, which is for tasks.
  const modelConfig = { ...buildModelConfig(user === undefined ? [] : [user]), defaultModel: undefined };
  const resolveOptions = { config: modelConfig, env: options.env, cwd: options.cwd };
  return createModelRouter({
    config: modelConfig,
    aliases: config.aliases,
    models: config.models,
    ...(config.default === undefined ? {} : { default: config.default }),
    resolve(id) {
      try {
        return resolveModel(id, resolveOptions);
      } catch (error) {
        if (!isWardenError(error)) throw error;
        throw new WardenError('server.config', error.message, {
          where: config.where[id] ?? options.source,
          ...(error.hint === undefined ? {} : { hint: error.hint }),
          cause: error,
        });
      }
    },
  });
}
