/**
 * The MCP gateway inside `warden serve`: /mcp, Streamable HTTP, for clients holding a virtual key.
 * Each client session connects the servers of `mcp_servers:` for itself, vetted against the
 * server's pins; each call is judged by the policy of the key's team, rate- and budget-limited
 * per key, counted as one of the key's calls, and recorded in the gateway's signed log.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { StoredVirtualKey } from '../gateway/index.ts';
import type { Redactor } from '../guard/redactor.ts';
import type { CallOutcome, GatewayCall } from '../mcp/gateway-call.ts';
import { createMcpEndpoint, type McpEndpoint, mountMcpEndpoint } from '../mcp/gateway-endpoint.ts';
import { type DecidedCall, policyHooks, type Refusal } from '../mcp/gateway-policy.ts';
import { createGatewayServer } from '../mcp/gateway-server.ts';
import { openMcpSession, type TransportFactory } from '../mcp/session-tools.ts';
import type { PinStore } from '../mcp/tool-pins.ts';
import type { Decision, Policy, PolicyAction } from '../policy/types.ts';
import type { AccountStore } from './account-store.ts';
import { createCallRate } from './call-rate.ts';
import type { McpGatewayConfig } from './config.ts';
import type { GatewayAudit } from './gateway-audit.ts';
import type { ServerKeys } from './gateway-keys.ts';

export const MCP_PATH = '/mcp';

/** Record types whose payload is sealed in the gateway's log: a call's arguments. */
export const MCP_SEALED_TYPES: ReadonlySet<string> = new Set(['mcp.requested']);

interface Caller {
  keyId: string;
  /** Kept in memory only, to look the key up afresh on each call (its spend, a revocation). */
  key: string;
  owner: string;
  team: string | undefined;
}

const NO_USAGE = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

export function openServerMcp(options: {
  config: McpGatewayConfig;
  keys: ServerKeys;
  accounts: AccountStore;
  /** The server's policies by name: a key's calls are judged by its team's. */
  policies: ReadonlyMap<string, Policy>;
  audit: GatewayAudit;
  pins: PinStore;
  transport: TransportFactory;
  redactor: Redactor;
  log: (line: string) => void;
}): { endpoint: McpEndpoint; mount(app: FastifyInstance): void } {
  const { keys, audit } = options;
  const rate = createCallRate(options.config.callsPerMinute);
  const redact = (text: string) => options.redactor.redact(text);
  // Upstream servers' words reach the log lines (an error page echoing the request's bearer token).
  const log = (line: string) => options.log(redact(line));

  const limit = async (caller: Caller): Promise<Refusal | undefined> => {
    const taken = rate.take(caller.keyId);
    if (!taken.ok)
      return {
        code: 'mcp.rate_limited',
        message: `rate limited: key ${caller.keyId} may make ${options.config.callsPerMinute} MCP calls a minute (mcp_gateway.calls_per_minute); retry in ${Math.ceil(taken.retryAfterMs / 1000)}s`,
      };
    const holder = await keys.verifier.verify(caller.key);
    if (holder === undefined) return { code: 'mcp.auth', message: `key ${caller.keyId} was revoked` };
    const budget = await keys.verifier.check(holder);
    return budget.ok ? undefined : { code: 'mcp.budget', message: budget.message };
  };

  const record = (caller: Caller) => ({
    async decided({ call, decision, policies, reason, refused }: DecidedCall) {
      const who = { keyId: caller.keyId, owner: caller.owner, team: caller.team ?? null };
      // Sealed: arguments may carry what the client read or wrote. The readable record has their
      // digest. Both in one go: the log keeps their order, and one sync makes both durable.
      const requested = audit.write('mcp.requested', {
        id: call.id,
        ...who,
        server: call.server,
        tool: call.tool,
        args: call.args,
      });
      const decided = audit.write('mcp.decided', {
        id: call.id,
        ...who,
        server: call.server,
        tool: call.tool,
        argsSha256: call.argsSha256,
        decision,
        policies,
        reason: redact(reason),
        ...(refused ? { refused: { code: refused.code, message: redact(refused.message) } } : {}),
      });
      await Promise.all([requested, decided]);
    },
    finished(call: GatewayCall, outcome: CallOutcome) {
      audit.append('mcp.finished', {
        id: call.id,
        keyId: caller.keyId,
        ok: outcome.ok,
        resultSha256: outcome.resultSha256,
        durationMs: Math.round(outcome.durationMs),
        flagged: outcome.findings.map((finding) => finding.rule),
      });
      void countCall(caller);
    },
  });

  // One of the key's calls, as a model call is; it spends no tokens.
  const countCall = async (caller: Caller) => {
    try {
      const holder = await keys.verifier.verify(caller.key);
      if (holder !== undefined) await keys.verifier.charge(holder, NO_USAGE, 0);
    } catch (error) {
      log(`mcp: key ${caller.keyId}: call not counted: ${(error as Error).message}`);
    }
  };

  const policyOf = async (caller: Caller): Promise<Policy> => {
    const team = caller.team === undefined ? undefined : await options.accounts.getTeam(caller.team);
    const name = team?.policies?.[0] ?? 'default';
    return options.policies.get(name) ?? refusingPolicy(`the server has no policy named "${name}" any more`);
  };

  const endpoint = createMcpEndpoint<Caller>({
    async authenticate(req) {
      const key = keyOf(req);
      const holder = key === undefined ? undefined : await keys.verifier.verify(key);
      return holder === undefined || key === undefined ? undefined : callerOf(key, holder);
    },
    async open(caller) {
      const session = await openMcpSession({
        servers: { servers: options.config.servers, offered: [], refused: [] },
        transport: options.transport,
        pins: options.pins,
        builtinTools: [],
        // No one is at a gateway session's start to accept a changed or suspect tool: it is
        // withheld, logged, and recorded.
        ask: async () => false,
        onOutcome: (told) => {
          // Its detail and reasons quote the upstream server: an error page may echo the token sent.
          const outcome = options.redactor.redactValue(told);
          audit.append('mcp.server', { keyId: caller.keyId, ...outcome });
          if (outcome.status === 'failed') log(`mcp: server ${outcome.server} failed: ${outcome.detail}`);
          for (const { tool, reason } of outcome.withheld)
            log(`mcp: ${tool} withheld from gateway clients: ${reason}`);
        },
      });
      const server = createGatewayServer({
        tools: session.tools,
        hooks: policyHooks({
          policy: await policyOf(caller),
          audit: record(caller),
          limit: () => limit(caller),
        }),
        redact,
      });
      return { server, close: () => session.close() };
    },
    log,
  });
  return { endpoint, mount: (app) => mountMcpEndpoint(app, MCP_PATH, endpoint) };
}

function callerOf(key: string, holder: StoredVirtualKey): Caller {
  return { keyId: holder.id, key, owner: holder.owner, team: holder.team };
}

/** The key as the model gateway takes it: `Authorization: Bearer wk-…`, or `x-api-key`. */
function keyOf(req: IncomingMessage): string | undefined {
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey.trim();
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

function refusingPolicy(reason: string): Policy {
  const decision: Decision = { decision: 'deny', policies: [], reason };
  return {
    source: 'none',
    decide: async (_action: PolicyAction) => decision,
    network: { allow: [] },
    deniedPaths: [],
    limits: {},
  };
}
