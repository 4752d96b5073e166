import { describeCall as describe, mcpToolName } from '../../console/web/call-summary.ts';

/** A tool as a person reads it: an MCP server's tool as the policy writes it, marked MCP. */
export function toolLabel(tool: string): { name: string; mcp: boolean } {
  const name = mcpToolName(tool);
  return name === undefined ? { name: tool, mcp: false } : { name, mcp: true };
}

/** The call in one line (not yet cleaned for a terminal): a shell command's line breaks shown as ⏎. */
export function describeCall(tool: string, args: unknown): string {
  return describe(tool, args, { maxChars: 200, lineBreak: ' ⏎ ' });
}
