import { matchesGlob, posix } from 'node:path';
import { z } from 'zod';
import type { Workspace } from '../sandbox/workspace-types.ts';
import { searchStart, specialFileMessage, walkFiles } from './file-walk.ts';
import { RIPGREP_TIMEOUT_MS, type RipgrepChoice, ripgrepLocator, runRipgrep } from './ripgrep.ts';
import { looksBinary, MAX_TEXT_FILE_BYTES } from './text-file.ts';
import { failureFrom, shownPath, toolError } from './tool-output.ts';
import type { Tool } from './types.ts';

const schema = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .describe('Regular expression to search for (ripgrep / Rust regex syntax), e.g. "fn\\s+main" or "TODO".'),
  path: z
    .string()
    .min(1)
    .optional()
    .describe('File or directory to search, relative to the root (default: all).'),
  glob: z
    .string()
    .min(1)
    .optional()
    .describe('Only search files matching this glob, e.g. "*.ts" or "src/**/*.test.ts"; "!*.md" excludes.'),
  ignore_case: z.boolean().optional().describe('Match without regard to case (default false).'),
});

export type GrepArgs = z.infer<typeof schema>;

export interface GrepOptions {
  ripgrep?: RipgrepChoice;
  maxMatches?: number;
  maxBytes?: number;
  /** rg is killed after this long (default RIPGREP_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** rg's own --max-columns; the fallback writes what rg 13 writes, and newer rg is mapped to it. */
const MAX_COLUMNS = 500;
const OMITTED = '[Omitted long matching line]';
const BINARY_MATCH = 'binary file matches';

export function createGrepTool(options: GrepOptions = {}): Tool<GrepArgs> {
  const locate = ripgrepLocator(options.ripgrep);
  const maxMatches = options.maxMatches ?? 200;
  const maxBytes = options.maxBytes ?? 50 * 1024;
  const timeoutMs = options.timeoutMs ?? RIPGREP_TIMEOUT_MS;

  return {
    name: 'grep',
    description: `Search file contents with a regular expression. Returns matching lines as "path:line:text", at most ${maxMatches} matches. Respects .gitignore (when ripgrep is installed); skips .git, node_modules and binary files.`,
    schema,
    actions: (args) => [{ kind: 'file.read', path: args.path ?? '.' }],
    async execute(args, context) {
      const hidden = context.hidden ?? (() => false);
      const { workspace } = context;
      const path = shownPath(workspace, args.path ?? '.');
      try {
        const start = await searchStart(workspace, path);
        if (start === 'missing') {
          return toolError(`no such file or directory: ${path}; call list_files to see what exists`);
        }
        if (start === 'special') return toolError(specialFileMessage(path));
      } catch (error) {
        return failureFrom(error);
      }

      const matches: string[] = [];
      let bytes = 0;
      let truncated = false;
      /** Takes one output line; false once the cap is reached. */
      const take = (line: string): boolean => {
        const size = Buffer.byteLength(line) + 1;
        if (matches.length >= maxMatches || bytes + size > maxBytes) {
          truncated = true;
          return false;
        }
        matches.push(line);
        bytes += size;
        return true;
      };

      const rg = await locate();
      const backend = rg ? 'ripgrep' : 'javascript';
      if (rg) {
        // --null ends each path with a NUL, so a path is known exactly even with ':' in its name.
        const argv = ['--line-number', '--no-heading', '--with-filename', '--null', '--color', 'never'];
        argv.push('--max-columns', String(MAX_COLUMNS), '--sort', 'path', '--hidden');
        argv.push('--glob', '!.git', '--glob', '!node_modules');
        if (args.ignore_case) argv.push('--ignore-case');
        if (args.glob) argv.push('--glob', args.glob);
        argv.push('-e', args.pattern, '--', path);
        const run = await runRipgrep(rg, argv, {
          cwd: workspace.root,
          signal: context.signal,
          timeoutMs,
          onLine: (line) => {
            const cut = line.indexOf('\0');
            // rg's binary-file notice is the one line printed without the NUL.
            const file = tidyPath(cut >= 0 ? line.slice(0, cut) : line.replace(BINARY_NOTICE, ''));
            if (hidden(file)) return true;
            return take(tidyRipgrepLine(cut >= 0 ? `${file}:${line.slice(cut + 1)}` : tidyPath(line)));
          },
        });
        if (run.timedOut) {
          return toolError(
            `grep timed out after ${timeoutMs / 1000} s; narrow the search with a more specific pattern, a path (a subdirectory or file) or a glob such as "*.ts"`,
          );
        }
        if (run.code === 2 && matches.length === 0) {
          return toolError(`grep failed: ${run.stderr || 'ripgrep exited with status 2'}`);
        }
      } else {
        const regex = compile(args.pattern, args.ignore_case === true);
        if (typeof regex === 'string') return toolError(`invalid regular expression: ${regex}`);
        try {
          const include = globFilter(args.glob);
          const visible = (file: string) => include(file) && !hidden(file);
          await searchFiles(workspace, path, regex, visible, take, context.signal);
        } catch (error) {
          return failureFrom(error);
        }
      }

      const details = { matches: matches.length, truncated, backend };
      if (matches.length === 0) {
        return { output: `no matches for ${JSON.stringify(args.pattern)} in ${path}`, details };
      }
      let output = matches.join('\n');
      if (truncated) {
        output += `\n\n[stopped after ${matches.length} matches; narrow the search with a more specific pattern, a path (a subdirectory or file) or a glob such as "*.ts"]`;
      }
      return { output, details, source: `grep ${args.pattern}${path === '.' ? '' : ` in ${path}`}` };
    },
  };
}

const BINARY_NOTICE = /: binary file matches \(.*\)$/;

function tidyPath(path: string): string {
  return path.startsWith('./') ? path.slice(2) : path;
}

/** `src/a.ts:3:x\r` → `src/a.ts:3:x`; rg's notices in one wording whatever its version. */
function tidyRipgrepLine(line: string): string {
  let tidy = line.replace(/\r$/, '');
  tidy = tidy.replace(/: binary file matches \(.*\)$/, `: ${BINARY_MATCH}`);
  return tidy.replace(/:\[Omitted long line with \d+ matches?\]$/, `:${OMITTED}`);
}

async function searchFiles(
  workspace: Workspace,
  start: string,
  regex: RegExp,
  include: (path: string) => boolean,
  take: (line: string) => boolean,
  signal: AbortSignal,
): Promise<void> {
  for await (const file of walkFiles(workspace, start)) {
    signal.throwIfAborted();
    if (!include(file)) continue;
    const stats = await workspace.stat(file);
    // Checked again here, not only in the walk: the tree can change while we search it.
    if (!stats?.isFile() || stats.size > MAX_TEXT_FILE_BYTES) continue;
    const data = await workspace.readFile(file);
    const lines = data.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (looksBinary(data)) {
      // Like rg: binary files found by the walk are skipped, a binary file named outright is reported.
      if (file === start && lines.some((line) => regex.test(line))) take(`${file}: ${BINARY_MATCH}`);
      continue;
    }
    for (const [i, raw] of lines.entries()) {
      const line = raw.replace(/\r$/, '');
      if (!regex.test(line)) continue;
      const text = Buffer.byteLength(line) > MAX_COLUMNS ? OMITTED : line;
      if (!take(`${file}:${i + 1}:${text}`)) return;
    }
  }
}

/** The pattern as a JavaScript RegExp, or the engine's complaint. Unicode mode first, like Rust regex. */
function compile(pattern: string, ignoreCase: boolean): RegExp | string {
  const flags = ignoreCase ? 'i' : '';
  try {
    return new RegExp(pattern, `${flags}u`);
  } catch (unicodeError) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      return (unicodeError as Error).message;
    }
  }
}

/** rg's glob rules, near enough: a glob without "/" matches the file name at any depth, "!" excludes. */
function globFilter(glob: string | undefined): (path: string) => boolean {
  if (!glob) return () => true;
  const exclude = glob.startsWith('!');
  const pattern = exclude ? glob.slice(1) : glob;
  return (path) => {
    const subject = pattern.includes('/') ? path : posix.basename(path);
    return matchesGlob(subject, pattern) !== exclude;
  };
}
