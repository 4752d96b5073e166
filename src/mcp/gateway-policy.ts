import type { Policy, Verdict } from '../policy/types.ts';
import type { Admission, CallOutcome, GatewayCall, GatewayHooks } from './gateway-call.ts';
import { qualifiedName } from './tool-names.ts';

/** Why a call did not run, for the client and the record (`mcp.denied`, `mcp.rate_limited`, …). */
export interface Refusal {
  code: string;
  message: string;
}

/** A call as judged, for the record: the decision with the rules that made it. */
export interface DecidedCall {
  call: GatewayCall;
  decision: Verdict;
  policies: string[];
  reason: string;
  /** Set when the call does not run. */
  refused?: Refusal;
}

/** Where a gateway with no session around it records its calls (`warden serve`: its signed log). */
export interface McpCallAudit {
  /** The decision, and for a call that runs its intent: the call waits until this resolves. */
  decided(entry: DecidedCall): Promise<void>;
  finished(call: GatewayCall, outcome: CallOutcome): void;
}

/**
 * Hooks for a gateway no person watches: the policy decides each call, and an `ask` is refused
 * with a message naming the rule. A gateway call comes from a program holding an HTTP request
 * open; parking it for minutes until someone answers would outlast most clients' timeouts and
 * leave the caller guessing. The refusal says what to change instead: the team's policy, or
 * running the work as a Warden task, where approvals are asked.
 * `limit` is checked first (rate, budget): a call over it is refused and recorded the same way.
 */
export function policyHooks(options: {
  policy: Policy;
  audit: McpCallAudit;
  limit?: (call: GatewayCall) => Promise<Refusal | undefined>;
}): GatewayHooks {
  const { policy, audit } = options;
  return {
    async admit(call): Promise<Admission> {
      const limited = await options.limit?.(call);
      if (limited !== undefined) {
        await audit.decided({
          call,
          decision: 'deny',
          policies: [],
          reason: limited.message,
          refused: limited,
        });
        return { allowed: false, message: limited.message };
      }
      const decision = await policy.decide({
        kind: 'mcp.call',
        server: call.server,
        tool: call.tool,
        args: call.args,
      });
      const refused = refusalOf(call, decision.decision, decision.policies, decision.reason);
      await audit.decided({
        call,
        decision: decision.decision,
        policies: decision.policies,
        reason: decision.reason,
        ...(refused ? { refused } : {}),
      });
      return refused ? { allowed: false, message: refused.message } : { allowed: true };
    },
    finished: (call, outcome) => audit.finished(call, outcome),
  };
}

function refusalOf(
  call: GatewayCall,
  verdict: Verdict,
  policies: string[],
  reason: string,
): Refusal | undefined {
  const rules = policies.join(', ') || 'default deny';
  if (verdict === 'deny') return { code: 'mcp.denied', message: `denied by policy (${rules}): ${reason}` };
  if (verdict === 'ask')
    return {
      code: 'mcp.approval_unavailable',
      message: `${qualifiedName(call.server, call.tool)} needs a person's approval under the policy (${rules}: ${reason}), and no one can give one on a gateway call: ask whoever keeps the policy to allow it under mcp: allow, or do this work as a Warden task, where approvals are asked`,
    };
  return undefined;
}
