import { z } from 'zod';
import type { Workspace } from '../sandbox/workspace-types.ts';
import { readText } from './text-file.ts';
import { failureFrom, shownPath, toolError } from './tool-output.ts';
import type { FileChange, Tool, ToolResult } from './types.ts';

const schema = z.strictObject({
  path: z.string().min(1).describe('File to edit, relative to the workspace root.'),
  old_string: z
    .string()
    .describe(
      'The exact text to replace, including indentation and whitespace, as read_file shows it. It must occur exactly once in the file unless replace_all is true; include surrounding lines to make it unique.',
    ),
  new_string: z.string().describe('The text to put in its place (may be empty to delete old_string).'),
  replace_all: z
    .boolean()
    .optional()
    .describe('Replace every occurrence of old_string instead of requiring exactly one (default false).'),
});

export type EditFileArgs = z.infer<typeof schema>;

/** How many line numbers an ambiguity error lists before it says "…". */
const MAX_LINES_LISTED = 10;

export function createEditFileTool(): Tool<EditFileArgs> {
  return {
    name: 'edit_file',
    description:
      'Replace an exact piece of text in a file with new text. old_string must match the file exactly (whitespace included) and occur once, unless replace_all is true. Read the file first. Line endings are kept as the file has them.',
    schema,
    actions: (args) => [{ kind: 'file.write', path: args.path }],
    async prospective(args, workspace) {
      const plan = await planEdit(args, workspace).catch(() => undefined);
      return plan && 'change' in plan ? [plan.change] : undefined;
    },
    async execute(args, context) {
      const { workspace } = context;
      const plan = await planEdit(args, workspace);
      if ('error' in plan) return plan.error;
      try {
        await workspace.writeFile(args.path, plan.change.after ?? '');
      } catch (error) {
        return failureFrom(error);
      }
      const { count, lines, lineEnding } = plan;
      return {
        output: `edited ${plan.change.path}: replaced ${count} ${count === 1 ? 'occurrence' : 'occurrences'} (line${count === 1 ? '' : 's'} ${lines.join(', ')})`,
        details: { replacements: count, lines, lineEnding },
        changes: [plan.change],
      };
    },
  };
}

type EditPlan =
  | { change: FileChange; count: number; lines: number[]; lineEnding: Occurrences['lineEnding'] }
  | { error: ToolResult };

/** The file as the edit would leave it, or the error that tells the model what to fix. */
async function planEdit(args: EditFileArgs, workspace: Workspace): Promise<EditPlan> {
  const shown = shownPath(workspace, args.path);
  if (args.old_string === '') {
    return {
      error: toolError(
        'old_string is empty; give the exact text to replace (use write_file to create a file or replace all of it)',
      ),
    };
  }
  if (args.old_string === args.new_string) {
    return { error: toolError('old_string and new_string are the same, so there is nothing to change') };
  }
  const read = await readText(workspace, args.path);
  if (!read.ok) return { error: read.error };
  const text = read.text;

  const match = findOccurrences(text, args.old_string, args.new_string);
  if (!match) {
    const near = looseLineMatch(text, args.old_string);
    const hint =
      near === undefined
        ? ''
        : ` Text matching it except for indentation or trailing spaces starts at line ${near}; copy that text exactly.`;
    return {
      error: toolError(
        `old_string was not found in ${shown}. The file may have changed since you read it, or the text differs in whitespace or indentation; call read_file again and copy the text exactly.${hint}`,
      ),
    };
  }
  const lines = match.starts.map((index) => lineAt(text, index));
  if (match.starts.length > 1 && !args.replace_all) {
    const listed =
      lines.slice(0, MAX_LINES_LISTED).join(', ') + (lines.length > MAX_LINES_LISTED ? ', …' : '');
    return {
      error: toolError(
        `old_string occurs ${match.starts.length} times in ${shown} (lines ${listed}); include more surrounding lines to pick one, or set replace_all to true to replace all of them`,
        { occurrences: match.starts.length, lines },
      ),
    };
  }

  let after = '';
  let from = 0;
  for (const start of match.starts) {
    after += text.slice(from, start) + match.replacement;
    from = start + match.needle.length;
  }
  after += text.slice(from);
  return {
    change: { path: shown, kind: 'modified', before: text, after },
    count: match.starts.length,
    lines,
    lineEnding: match.lineEnding,
  };
}

interface Occurrences {
  needle: string;
  replacement: string;
  starts: number[];
  lineEnding: 'lf' | 'crlf';
}

/**
 * Models write LF; Windows-style files hold CRLF. The text is matched as given first, then with
 * its line endings switched to the file's, and the replacement always takes the file's endings,
 * so a CRLF file stays CRLF and no other byte of the file changes.
 */
export function findOccurrences(text: string, oldString: string, newString: string): Occurrences | undefined {
  const crlf = text.includes('\r\n') && countOf(text, '\r\n') * 2 >= countOf(text, '\n');
  const convert = (s: string): string => (crlf ? s.replace(/\r?\n/g, '\r\n') : s.replace(/\r\n/g, '\n'));
  const replacement = convert(newString);
  for (const needle of new Set([oldString, convert(oldString)])) {
    const starts: number[] = [];
    for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) starts.push(i);
    if (starts.length > 0) return { needle, replacement, starts, lineEnding: crlf ? 'crlf' : 'lf' };
  }
  return undefined;
}

/** The 1-based line where old_string's lines appear once whitespace at both ends of each is ignored. */
function looseLineMatch(text: string, oldString: string): number | undefined {
  const fileLines = text.split('\n').map((line) => line.trim());
  const wanted = oldString
    .split('\n')
    .map((line) => line.trim())
    .filter((line, i, all) => line !== '' || (i > 0 && i < all.length - 1));
  if (wanted.length === 0) return undefined;
  for (let i = 0; i + wanted.length <= fileLines.length; i++) {
    if (wanted.every((line, j) => fileLines[i + j] === line)) return i + 1;
  }
  return undefined;
}

function lineAt(text: string, index: number): number {
  return countOf(text.slice(0, index), '\n') + 1;
}

function countOf(text: string, needle: string): number {
  let count = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) count++;
  return count;
}
