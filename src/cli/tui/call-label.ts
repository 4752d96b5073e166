/**
 * A tool as a person reads it: an MCP server's tool, which the model calls `server__tool`, as the
 * policy writes it, `server.tool`, marked MCP (as the console's tool cards do).
 */
export function toolLabel(tool: string): { name: string; mcp: boolean } {
  const at = tool.indexOf('__');
  if (at < 1) return { name: tool, mcp: false };
  return { name: `${tool.slice(0, at)}.${tool.slice(at + 2)}`, mcp: true };
}

/** The call in one line, the way a person would write it (not yet cleaned for a terminal). */
export function describeCall(tool: string, args: unknown): string {
  const a = (args && typeof args === 'object' ? args : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof a[key] === 'string' ? (a[key] as string) : undefined);
  switch (tool) {
    case 'shell':
      return `$ ${(text('command') ?? '').replace(/\s*\n\s*/g, ' ⏎ ')}`;
    case 'read_file':
    case 'write_file':
    case 'edit_file':
      return text('path') ?? '';
    case 'list_files':
      return text('path') ?? '.';
    case 'grep':
      return `${text('pattern') ?? ''}${text('path') ? `  in ${text('path')}` : ''}`;
    case 'apply_patch': {
      const files = [...(text('patch') ?? '').matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm)].map(
        (m) => m[1],
      );
      return files.length > 0 ? files.join(', ') : 'patch';
    }
    default: {
      const json = JSON.stringify(args) ?? '';
      return json.length > 200 ? `${json.slice(0, 199)}…` : json;
    }
  }
}
