import { z } from 'zod';
import { searchStart, specialFileMessage, walkFiles } from './file-walk.ts';
import { RIPGREP_TIMEOUT_MS, type RipgrepChoice, ripgrepLocator, runRipgrep } from './ripgrep.ts';
import { failureFrom, shownPath, toolError } from './tool-output.ts';
import type { Tool } from './types.ts';

const schema = z.strictObject({
  path: z
    .string()
    .min(1)
    .optional()
    .describe('Directory to list, relative to the workspace root (default: the whole workspace).'),
});

export type ListFilesArgs = z.infer<typeof schema>;

export interface ListFilesOptions {
  ripgrep?: RipgrepChoice;
  maxEntries?: number;
  /** The fallback walk stops here; a workspace this large needs a narrower path anyway. */
  maxWalk?: number;
  /** rg is killed after this long (default RIPGREP_TIMEOUT_MS). */
  timeoutMs?: number;
}

export function createListFilesTool(options: ListFilesOptions = {}): Tool<ListFilesArgs> {
  const locate = ripgrepLocator(options.ripgrep);
  const maxEntries = options.maxEntries ?? 1000;
  const maxWalk = options.maxWalk ?? 100_000;
  const timeoutMs = options.timeoutMs ?? RIPGREP_TIMEOUT_MS;

  return {
    name: 'list_files',
    description: `List the files under a directory, recursively, sorted, one path per line (relative to the workspace root). Respects .gitignore when ripgrep is installed; skips .git and node_modules. At most ${maxEntries} entries; pass a subdirectory to see more.`,
    schema,
    actions: (args) => [{ kind: 'file.read', path: args.path ?? '.' }],
    async execute(args, context) {
      const { workspace } = context;
      const path = shownPath(workspace, args.path ?? '.');
      try {
        const start = await searchStart(workspace, path);
        if (start === 'missing') {
          return toolError(`no such directory: ${path}; call list_files without a path to see the workspace`);
        }
        if (start === 'special') return toolError(specialFileMessage(path));
      } catch (error) {
        return failureFrom(error);
      }

      const files: string[] = [];
      let walkCut = false;
      const rg = await locate();
      if (rg) {
        const run = await runRipgrep(
          rg,
          ['--files', '--hidden', '--glob', '!.git', '--glob', '!node_modules', '--', path],
          {
            cwd: workspace.root,
            signal: context.signal,
            timeoutMs,
            onLine: (line) => {
              files.push(line.startsWith('./') ? line.slice(2) : line);
              return true;
            },
          },
        );
        if (run.timedOut) {
          return toolError(
            `list_files timed out after ${timeoutMs / 1000} s; pass a subdirectory as path, or use grep with a glob`,
          );
        }
        if (run.code === 2 && files.length === 0) return toolError(`list_files failed: ${run.stderr}`);
      } else {
        try {
          for await (const file of walkFiles(workspace, path)) {
            context.signal.throwIfAborted();
            if (files.length >= maxWalk) {
              walkCut = true;
              break;
            }
            files.push(file);
          }
        } catch (error) {
          return failureFrom(error);
        }
      }

      files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const shown = files.slice(0, maxEntries);
      const truncated = walkCut || files.length > shown.length;
      const details = {
        total: files.length,
        shown: shown.length,
        truncated,
        backend: rg ? 'ripgrep' : 'javascript',
      };
      if (files.length === 0) return { output: `no files under ${path}`, details };
      let output = shown.join('\n');
      if (truncated) {
        const total = walkCut ? `more than ${files.length}` : String(files.length);
        output += `\n\n[showing ${shown.length} of ${total} files; pass a subdirectory as path to see the rest, or use grep with a glob]`;
      }
      return { output, details, source: `list_files ${path}` };
    },
  };
}
