import { z } from 'zod';
import type { Workspace } from '../sandbox/workspace-types.ts';
import { lineCount, looksBinary, MAX_TEXT_FILE_BYTES } from './text-file.ts';
import { failureFrom, shownPath, toolError } from './tool-output.ts';
import type { FileChange, Tool, ToolResult } from './types.ts';

const schema = z.strictObject({
  path: z.string().min(1).describe('File to create or overwrite, relative to the workspace root.'),
  content: z.string().describe('The complete new content of the file.'),
});

export type WriteFileArgs = z.infer<typeof schema>;

export function createWriteFileTool(): Tool<WriteFileArgs> {
  return {
    name: 'write_file',
    description:
      'Create a file, or overwrite one completely, with the given content. Missing parent directories are created. To change part of an existing file prefer edit_file or apply_patch.',
    schema,
    actions: (args) => [{ kind: 'file.write', path: args.path }],
    async prospective(args, workspace) {
      const plan = await planWrite(args, workspace).catch(() => undefined);
      return plan && 'change' in plan ? [plan.change] : undefined;
    },
    async execute(args, context) {
      const { workspace } = context;
      try {
        const plan = await planWrite(args, workspace);
        if ('error' in plan) return plan.error;
        await workspace.writeFile(args.path, args.content);
        const lines = lineCount(args.content);
        return {
          output: `wrote ${plan.change.path} (${lines} ${lines === 1 ? 'line' : 'lines'})`,
          details: { lines, bytes: Buffer.byteLength(args.content), created: plan.change.kind === 'added' },
          changes: [plan.change],
        };
      } catch (error) {
        return failureFrom(error);
      }
    },
  };
}

async function planWrite(
  args: WriteFileArgs,
  workspace: Workspace,
): Promise<{ change: FileChange } | { error: ToolResult }> {
  const shown = shownPath(workspace, args.path);
  const stats = await workspace.stat(args.path);
  if (stats?.isDirectory()) return { error: toolError(`${shown} is a directory; give a file path`) };
  if (!stats) return { change: { path: shown, kind: 'added', after: args.content } };
  // The old text feeds the diff in events and the report; binary content has no useful diff.
  let before: string | undefined;
  if (stats.size <= MAX_TEXT_FILE_BYTES) {
    const data = await workspace.readFile(args.path);
    if (!looksBinary(data)) before = data.toString('utf8');
  }
  return {
    change: {
      path: shown,
      kind: 'modified',
      ...(before === undefined ? {} : { before }),
      after: args.content,
    },
  };
}
