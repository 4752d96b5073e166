import type { PolicyWarning } from './explain.ts';
import { likeMatcher } from './like.ts';
import { MAX_ARGUMENT_TEXT } from './mcp-arguments.ts';
import { type McpRule, type McpSection, mcpRules } from './mcp-section.ts';

/** The `mcp:` section in the one-page summary. */
export function mcpSummary(section: McpSection): string[] {
  const rules = mcpRules(section);
  const of = (verdict: McpRule['verdict'], none: string) => {
    const texts = rules.filter((r) => r.verdict === verdict).map((r) => r.text);
    return texts.length ? texts.join('; ') : none;
  };
  return [
    'MCP tools (server.tool; deny > ask > allow; an argument by its path, head.ref or labels.0)',
    `  call:        ${of('allow', 'nothing without asking')}`,
    `  ask first:   ${of('ask', 'nothing listed')}`,
    `  never:       ${of('deny', 'nothing listed')}`,
    '  otherwise:   a person is asked; ask and deny rules match tool names in any letter case',
    '  built in:    an argument given twice (a dotted key beside a nested one) is refused; one a rule',
    `               names that is over ${MAX_ARGUMENT_TEXT / 1024} KiB counts as absent, and the call is never allowed`,
  ];
}

/** Grants wider than they look, and allows that can never apply because an ask or deny covers them. */
export function mcpWarnings(section: McpSection): PolicyWarning[] {
  const rules = mcpRules(section);
  const warnings: PolicyWarning[] = [];
  for (const rule of rules.filter((r) => r.verdict === 'allow')) {
    const plain = Object.keys(rule.when).length === 0;
    if (plain && /^\*+$/.test(rule.server) && /^\*+$/.test(rule.tool))
      warnings.push({
        rule: rule.id,
        weight: 30,
        message: 'every tool of every MCP server is called without asking',
      });
    else if (plain && /^\*+$/.test(rule.tool))
      warnings.push({
        rule: rule.id,
        weight: 10,
        message: `every tool of ${rule.server} is called without asking, tools it adds later included`,
      });
    const cover = rules.find((r) => r.verdict !== 'allow' && covers(r, rule));
    if (cover)
      warnings.push({
        rule: rule.id,
        weight: 0,
        message: `never allows anything: ${cover.id} (${cover.text}) ${cover.verdict === 'deny' ? 'denies' : 'asks about'} every call it would allow, and ${cover.verdict} outranks allow`,
      });
  }
  return warnings;
}

/**
 * `outer` (an ask or deny without conditions) applies to every call `inner` names. Pattern A covers
 * pattern B when A matches B's text with B's `*` read as a character: each of B's stars then sits
 * inside a stretch one of A's stars matches, which matches whatever B's star stands for.
 */
function covers(outer: McpRule, inner: McpRule): boolean {
  if (Object.keys(outer.when).length > 0 || Object.keys(outer.unless).length > 0) return false;
  return (
    likeMatcher([outer.server])(inner.server) &&
    likeMatcher([outer.tool.toLowerCase()])(inner.tool.toLowerCase())
  );
}
