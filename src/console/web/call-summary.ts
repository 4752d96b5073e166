/**
 * How a person reads a tool call, for every view of one (the console's cards, the terminal UI's):
 * pure, with no DOM, so the terminal UI imports it as it is.
 */

/** An MCP server's tool, which the model calls `server__tool`, as the policy writes it: `server.tool`. */
export function mcpToolName(tool: string): string | undefined {
  const at = tool.indexOf('__');
  return at < 1 ? undefined : `${tool.slice(0, at)}.${tool.slice(at + 2)}`;
}

/**
 * The call in one line, the way a person would write it. `lineBreak` stands for each line break of
 * a shell command (a terminal line cannot hold one); past `maxChars` other calls' JSON is cut.
 */
export function describeCall(
  tool: string,
  args: unknown,
  options: { maxChars: number; lineBreak?: string },
): string {
  const a = (args && typeof args === 'object' ? args : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof a[key] === 'string' ? (a[key] as string) : undefined);
  switch (tool) {
    case 'shell': {
      const command = text('command') ?? '';
      return `$ ${options.lineBreak === undefined ? command : command.replace(/\s*\n\s*/g, options.lineBreak)}`;
    }
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
      return json.length > options.maxChars ? `${json.slice(0, options.maxChars - 1)}…` : json;
    }
  }
}
