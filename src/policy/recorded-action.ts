import { argumentsDigest } from './mcp-arguments.ts';
import type { PolicyAction, RecordedAction } from './types.ts';

export type { RecordedAction };

/** What the audit log keeps of an action beside its decision (see RecordedAction). */
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
