import { z } from 'zod';
import { lineCount, looksBinary, MAX_TEXT_FILE_BYTES } from './text-file.ts';
import { failureFrom, shownPath, toolError } from './tool-output.ts';
import type { Tool } from './types.ts';

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
    async execute(args, context) {
      const { workspace } = context;
      const shown = shownPath(workspace, args.path);
      try {
        const stats = await workspace.stat(args.path);
        if (stats?.isDirectory()) return toolError(`${shown} is a directory; give a file path`);
        // The old text feeds the diff in events and the report; binary content has no useful diff.
        let before: string | undefined;
        if (stats && stats.size <= MAX_TEXT_FILE_BYTES) {
          const data = await workspace.readFile(args.path);
          if (!looksBinary(data)) before = data.toString('utf8');
        }
        await workspace.writeFile(args.path, args.content);
        const lines = lineCount(args.content);
        return {
          output: `wrote ${shown} (${lines} ${lines === 1 ? 'line' : 'lines'})`,
          details: { lines, bytes: Buffer.byteLength(args.content), created: !stats },
          changes: [
            stats
              ? {
                  path: shown,
                  kind: 'modified',
                  ...(before === undefined ? {} : { before }),
                  after: args.content,
                }
              : { path: shown, kind: 'added', after: args.content },
          ],
        };
      } catch (error) {
        return failureFrom(error);
      }
    },
  };
}
