import { z } from 'zod';
import { readText } from './text-file.ts';
import { shownPath, toolError } from './tool-output.ts';
import type { Tool } from './types.ts';

const schema = z.strictObject({
  path: z.string().min(1).describe('File to read, relative to the workspace root.'),
  offset: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('1-based line number to start at. Use it to continue a file that was cut off.'),
  limit: z.number().int().min(1).optional().describe('Maximum number of lines to return (default 2000).'),
});

export type ReadFileArgs = z.infer<typeof schema>;

export interface ReadFileOptions {
  /** Lines per call when the model does not say. */
  maxLines?: number;
  /** Bytes per call, whatever the model says: one call must not flood the context. */
  maxBytes?: number;
  /** Longer lines are cut; minified files would otherwise eat the byte budget in one line. */
  maxLineChars?: number;
}

export function createReadFileTool(options: ReadFileOptions = {}): Tool<ReadFileArgs> {
  const maxLines = options.maxLines ?? 2000;
  const maxBytes = options.maxBytes ?? 50 * 1024;
  const maxLineChars = options.maxLineChars ?? 2000;

  return {
    name: 'read_file',
    description: [
      'Read a text file from the workspace. Returns the file content as is (no line numbers).',
      `At most ${maxLines} lines and ${Math.round(maxBytes / 1024)} KB per call; when more remains the output ends`,
      'with a notice giving the offset to continue from. Lines longer than',
      `${maxLineChars} characters are cut. Binary files are refused.`,
    ].join(' '),
    schema,
    actions: (args) => [{ kind: 'file.read', path: args.path }],
    async execute(args, context) {
      const shown = shownPath(context.workspace, args.path);
      const read = await readText(context.workspace, args.path);
      if (!read.ok) return read.error;

      const lines = read.text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      const totalLines = lines.length;
      const offset = args.offset ?? 1;
      if (totalLines === 0) {
        return {
          output: `[${shown} is empty]`,
          details: { totalLines, offset, shownLines: 0, truncated: false },
        };
      }
      if (offset > totalLines) {
        return toolError(`offset ${offset} is past the end of ${shown}, which has ${totalLines} lines`);
      }

      const wanted = Math.min(args.limit ?? maxLines, totalLines - offset + 1);
      const shownLines: string[] = [];
      let bytes = 0;
      let linesCut = 0;
      for (let i = offset - 1; i < offset - 1 + wanted; i++) {
        let line = (lines[i] ?? '').replace(/\r$/, '');
        if (line.length > maxLineChars) {
          line = `${line.slice(0, maxLineChars)} [… line cut, ${line.length} characters in all]`;
          linesCut++;
        }
        const size = Buffer.byteLength(line) + 1;
        if (shownLines.length > 0 && bytes + size > maxBytes) break;
        shownLines.push(line);
        bytes += size;
      }

      const last = offset + shownLines.length - 1;
      const truncated = last < totalLines;
      let output = shownLines.join('\n');
      if (truncated) {
        output += `\n\n[showing lines ${offset}-${last} of ${totalLines}; call read_file with offset=${last + 1} to continue]`;
      }
      return {
        output,
        details: { totalLines, offset, shownLines: shownLines.length, truncated, linesCut },
        source: `read_file ${shown}`,
      };
    },
  };
}
