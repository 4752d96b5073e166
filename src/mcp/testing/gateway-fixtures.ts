import type { Decision, Policy, PolicyAction, Verdict } from '../../policy/types.ts';
import type { CallOutcome, GatewayCall } from '../gateway-call.ts';
import type { DecidedCall, McpCallAudit } from '../gateway-policy.ts';

/**
 * A policy for gateway tests until the `mcp:` section judges calls: `server.tool` → verdict, with
 * `mcp.fake[server.tool]` as the deciding rule; a tool not listed is asked about.
 */
export function fakeMcpPolicy(verdicts: Record<string, Verdict>): Policy & { decided: PolicyAction[] } {
  const decided: PolicyAction[] = [];
  return {
    source: 'test',
    decided,
    async decide(action): Promise<Decision> {
      decided.push(action);
      if (action.kind !== 'mcp.call') return { decision: 'deny', policies: [], reason: 'not an MCP call' };
      const name = `${action.server}.${action.tool}`;
      const verdict = verdicts[name];
      return verdict === undefined
        ? { decision: 'ask', policies: ['default.mcp.unmatched'], reason: `${name}: no rule matches` }
        : { decision: verdict, policies: [`mcp.fake[${name}]`], reason: `${name}: ${verdict} by the test` };
    },
    network: { allow: [] },
    deniedPaths: [],
    limits: {},
  };
}

/** An audit sink that keeps what it is told; `failing` makes every intent fail to be written. */
export function memoryMcpAudit(): McpCallAudit & {
  decisions: DecidedCall[];
  outcomes: Array<{ call: GatewayCall; outcome: CallOutcome }>;
  failing: boolean;
} {
  const sink = {
    decisions: [] as DecidedCall[],
    outcomes: [] as Array<{ call: GatewayCall; outcome: CallOutcome }>,
    failing: false,
    async decided(entry: DecidedCall) {
      if (sink.failing) throw new Error('the disk is full');
      sink.decisions.push(entry);
    },
    finished(call: GatewayCall, outcome: CallOutcome) {
      sink.outcomes.push({ call, outcome });
    },
  };
  return sink;
}
