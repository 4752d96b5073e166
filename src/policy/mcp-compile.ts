import { type McpSection, type McpValue, mcpRules } from './mcp-section.ts';

/** The catch-all for MCP calls: a tool no rule names is a question for a human, never a yes. */
export const UNMATCHED_MCP = 'default.mcp.unmatched';

/** One `mcp:` rule as Cedar conditions, for compile.ts to wrap in a policy. */
export interface McpCedarRule {
  id: string;
  verdict: 'allow' | 'ask' | 'deny';
  /** The rule as a person reads it. */
  pattern: string;
  when: string;
  unless?: string;
}

type Literal = (text: string) => string;

/**
 * Where a rule can be read two ways, it is read the way that grants less. An allow names tools
 * with their letter case; ask and deny fold it, so `jira.delete_*` also covers `Delete_Issue` on a
 * server that dispatches without case. A number or true/false matches only that JSON value where
 * matching grants (allow … when, ask/deny … unless), and every spelling a lenient server would
 * coerce to it where matching refuses (`"yes"`, `1` for true; `" 01"`, `"1e0"`, `true` for 1: see
 * mcp-coercion.ts).
 */
export function mcpCedarRules(section: McpSection, literal: Literal, like: Literal): McpCedarRule[] {
  return mcpRules(section).map((rule) => {
    const grants = rule.verdict === 'allow';
    const tool = grants
      ? `resource.server like ${like(rule.server)} && resource.name like ${like(rule.tool)}`
      : `resource.server like ${like(rule.server)} && resource.folded_name like ${like(rule.tool.toLowerCase())}`;
    const when = [tool, ...conditions(rule.when, grants, literal, like)].join(' && ');
    const unless = conditions(rule.unless, !grants, literal, like).join(' && ');
    return {
      id: rule.id,
      verdict: rule.verdict,
      pattern: rule.text,
      when,
      ...(unless === '' ? {} : { unless }),
    };
  });
}

function conditions(
  listed: Record<string, McpValue[]>,
  grants: boolean,
  literal: Literal,
  like: Literal,
): string[] {
  return Object.entries(listed).map(([path, values]) => {
    const value = `context.args.getTag(${literal(path)})`;
    const readings = 'context.args.readings';
    const tests = values.map((v) => {
      if (typeof v === 'string') return `${value} like ${like(v)}`;
      const json = literal(JSON.stringify(v));
      return grants
        ? `(${value} == ${json} && context.args.json.contains(${literal(path)}))`
        : `(${readings}.hasTag(${literal(path)}) && ${readings}.getTag(${literal(path)}).contains(${json}))`;
    });
    return `(context.args.hasTag(${literal(path)}) && (${tests.join(' || ')}))`;
  });
}
