import { argumentsDigest } from './mcp-arguments.ts';
import type { PolicyAction } from './types.ts';

/**
 * An action as the audit log keeps it beside its decision, readable without the master key: what
 * was judged, never what it carries. A write's content and an MCP call's arguments are code or
 * data, sealed with the tool call; an MCP call keeps only the short digest of its arguments that
 * tells two calls of one tool apart.
 */
export type RecordedAction =
  | Exclude<PolicyAction, { kind: 'file.write' } | { kind: 'mcp.call' }>
  | { kind: 'file.write'; path: string }
  | { kind: 'mcp.call'; server: string; tool: string; argsDigest: string };

export function recordedAction(action: PolicyAction): RecordedAction {
  if (action.kind === 'file.write') return { kind: 'file.write', path: action.path };
  if (action.kind === 'mcp.call')
    return {
      kind: 'mcp.call',
      server: action.server,
      tool: action.tool,
      argsDigest: argumentsDigest(action.args),
    };
  return action;
}
