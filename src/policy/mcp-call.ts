import type { CedarValueJson, EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { argumentView, LINE_BREAKING, MAX_ARGUMENT_TEXT, toolName, wireArguments } from './mcp-arguments.ts';
import type { Decision, PolicyAction, Verdict } from './types.ts';

export type McpCall = Extract<PolicyAction, { kind: 'mcp.call' }>;

/** A server's name as configuration spells it: no `.`, so `server.tool` splits one way only. */
export const MCP_SERVER_NAME = /^[a-z][a-z0-9-]{0,30}$/;
/** The protocol's limit on a tool's name. */
export const MAX_TOOL_NAME = 128;

/** Refused before any rule: the same argument path with two values. */
export const AMBIGUOUS_ARGUMENTS = 'default.mcp.ambiguous';
/** A call that would be allowed but has an argument a rule names that is too long to judge. */
export const UNJUDGED_ARGUMENTS = 'default.mcp.unjudged';

type Judged = { decision: Verdict; policies: string[]; reason: string };
export type McpAuthorize = (
  attrs: Record<string, string>,
  context: Record<string, CedarValueJson>,
  related: EntityJson[],
) => Judged;

const ARGS = { type: 'McpArguments', id: 'arguments' };
const READINGS = { type: 'McpReadings', id: 'arguments' };

/** Judge a call of an MCP tool: its name, then its arguments at the paths the rules name. */
export function decideMcpCall(
  action: McpCall,
  named: ReadonlySet<string>,
  authorize: McpAuthorize,
): Decision {
  const what = `call ${toolName(action)}`;
  const refuse = (reason: string, policies: string[] = []): Decision => ({
    decision: 'deny',
    policies,
    reason: `${what}: ${reason}`,
  });
  if (typeof action.server !== 'string' || !MCP_SERVER_NAME.test(action.server))
    return refuse('not a valid MCP server name (lower-case letters, digits and -)');
  if (typeof action.tool !== 'string' || action.tool === '' || action.tool.length > MAX_TOOL_NAME)
    return refuse(`not a valid MCP tool name (1 to ${MAX_TOOL_NAME} characters)`);
  if (LINE_BREAKING.test(action.tool)) return refuse('not a valid MCP tool name (it has control characters)');
  const wire = wireArguments(action.args);
  if (!wire.ok) return refuse(wire.problem);

  const view = argumentView(wire.args, named);
  if (view.ambiguous.length > 0)
    return refuse(
      `the argument ${quoted(view.ambiguous)} is given twice with different values (a key with a dot beside a nested key), so no rule can tell which one the server will use`,
      [AMBIGUOUS_ARGUMENTS],
    );
  const judged = authorize(
    { server: action.server, name: action.tool, folded_name: action.tool.toLowerCase() },
    { args: { __entity: ARGS } },
    [
      {
        uid: ARGS,
        attrs: { json: view.json, readings: { __entity: READINGS } },
        parents: [],
        tags: view.values,
      },
      { uid: READINGS, attrs: {}, parents: [], tags: view.readings },
    ],
  );
  if (judged.decision === 'allow' && view.unjudged.length > 0)
    return {
      decision: 'ask',
      policies: [...judged.policies, UNJUDGED_ARGUMENTS],
      reason: `${what}: ${judged.reason}, but the argument ${quoted(view.unjudged)} is longer than ${MAX_ARGUMENT_TEXT / 1024} KiB, too long to judge, so a person decides`,
    };
  return { ...judged, reason: `${what}: ${judged.reason}` };
}

function quoted(paths: string[]): string {
  return paths.map((p) => JSON.stringify(p)).join(', ');
}
