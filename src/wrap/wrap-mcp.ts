import type { IncomingMessage } from 'node:http';
import type { EventStream } from '../agent/event-stream.ts';
import type { Gate } from '../agent/gate.ts';
import { messageOf } from '../errors.ts';
import type { KeyVerifier } from '../gateway/index.ts';
import type { Redactor } from '../guard/redactor.ts';
import type { McpServerSet } from '../mcp/config.ts';
import type { GatewayHooks } from '../mcp/gateway-call.ts';
import { createMcpEndpoint, type McpEndpoint } from '../mcp/gateway-endpoint.ts';
import { createGatewayServer } from '../mcp/gateway-server.ts';
import { openMcpSession, type TransportFactory } from '../mcp/session-tools.ts';
import { qualifiedName } from '../mcp/tool-names.ts';
import type { PinStore } from '../mcp/tool-pins.ts';

/** The MCP servers of a wrapped session: from the user's config, the repository only offering. */
export interface WrapMcp {
  servers: McpServerSet;
  transport: TransportFactory;
  pins: PinStore;
}

/** As a command's output is in its events: long strings cut, the whole stays with the upstream. */
const EVENT_TEXT_LIMIT = 4000;

/**
 * The gateway's MCP endpoint for one wrapped agent: reachable only with the session's virtual key,
 * its servers vetted when the agent connects (a changed or suspect tool asked about through the
 * session's approver, as in `warden exec`), and each call judged by the session's gate — the same
 * policy, approvals and events as the agent's commands: `tool.requested`, `policy.decided`,
 * `tool.started` (the intent, durable before the call goes out), `tool.finished`, `guard.flagged`.
 */
export function startWrapMcp(options: {
  mcp: WrapMcp;
  keys: KeyVerifier;
  gate: Gate;
  events: EventStream;
  redactor: Redactor;
  durable: () => Promise<void>;
  /** Told when an answer means the session must end (`--approvals fail`). */
  stop: (reason: { code: string; message: string }) => void;
}): McpEndpoint {
  const { events, gate } = options;
  const redact = (text: string) => options.redactor.redact(text);
  const hooks: GatewayHooks = {
    async admit(call) {
      events.emit({ type: 'tool.requested', callId: call.id, tool: call.name, args: clipped(call.args) });
      const verdict = await gate.check({ id: call.id, tool: call.name }, [
        { kind: 'mcp.call', server: call.server, tool: call.tool, args: call.args },
      ]);
      if (!verdict.allowed) {
        if (verdict.stop) options.stop(verdict.stop);
        finish(call.id, call.name, false, verdict.output, 0);
        return { allowed: false, message: verdict.output };
      }
      events.emit({ type: 'tool.started', callId: call.id, tool: call.name });
      try {
        await options.durable();
      } catch (error) {
        options.stop({
          code: 'audit.write',
          message: `the audit record could not be written: ${messageOf(error)}`,
        });
        finish(call.id, call.name, false, 'not run: its intent could not be recorded', 0);
        return { allowed: false, message: 'not run: its intent could not be recorded' };
      }
      return { allowed: true };
    },
    finished(call, outcome) {
      finish(call.id, call.name, outcome.ok, outcome.output, outcome.durationMs, {
        server: call.server,
        tool: call.tool,
        argsSha256: call.argsSha256,
        resultSha256: outcome.resultSha256,
      });
      const source = `mcp ${qualifiedName(call.server, call.tool)}`;
      for (const { rule, excerpt } of outcome.findings)
        events.emit({ type: 'guard.flagged', callId: call.id, source, rule, detail: excerpt });
    },
  };
  const finish = (
    callId: string,
    tool: string,
    ok: boolean,
    output: string,
    durationMs: number,
    details?: Record<string, unknown>,
  ) =>
    events.emit({
      type: 'tool.finished',
      callId,
      tool,
      ok,
      output: clip(output),
      durationMs: Math.round(durationMs),
      ...(details ? { details } : {}),
    });

  return createMcpEndpoint({
    async authenticate(req) {
      const holder = await options.keys.verify(keyOf(req));
      return holder === undefined ? undefined : { keyId: holder.id };
    },
    async open() {
      const session = await openMcpSession({
        ...options.mcp,
        builtinTools: [],
        ask: async ({ id, concerns }) => (await gate.check({ id, tool: 'mcp' }, [], concerns)).allowed,
        onOutcome: (outcome) => events.emit({ type: 'mcp.server', ...outcome }),
      });
      return {
        server: createGatewayServer({ tools: session.tools, hooks, redact }),
        close: () => session.close(),
      };
    },
  });
}

function keyOf(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

function clip(text: string): string {
  return text.length <= EVENT_TEXT_LIMIT
    ? text
    : `${text.slice(0, EVENT_TEXT_LIMIT)}… [${text.length} chars]`;
}

function clipped(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([key, value]) => [key, typeof value === 'string' ? clip(value) : value]),
  );
}
