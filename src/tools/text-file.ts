import type { Workspace } from '../sandbox/workspace-types.ts';
import { failureFrom, shownPath, toolError } from './tool-output.ts';
import type { ToolResult } from './types.ts';

/** Git's own heuristic: a NUL byte in the first 8 KB means binary. */
const BINARY_SNIFF_BYTES = 8192;
/** Past this the file tools refuse: paging a 1 GB log through memory helps nobody. */
export const MAX_TEXT_FILE_BYTES = 10 * 1024 * 1024;

export function looksBinary(data: Uint8Array): boolean {
  return data.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** Lines as a person counts them: a final newline ends the last line rather than starting one. */
export function lineCount(text: string): number {
  if (text === '') return 0;
  let count = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return text.endsWith('\n') ? count - 1 : count;
}

export type TextRead = { ok: true; text: string; size: number } | { ok: false; error: ToolResult };

/**
 * A workspace file as text, or the tool error that explains why not (missing, a directory, too
 * large, binary, outside the workspace) in words that say what to do next.
 */
export async function readText(workspace: Workspace, path: string): Promise<TextRead> {
  const shown = shownPath(workspace, path);
  try {
    const stats = await workspace.stat(path);
    if (!stats) {
      return fail(`file not found: ${shown}; call list_files to see which files exist`);
    }
    if (stats.isDirectory()) {
      return fail(
        `${shown} is a directory, not a file; call list_files with path="${shown}" to see its files`,
      );
    }
    if (stats.size > MAX_TEXT_FILE_BYTES) {
      return fail(
        `${shown} is ${stats.size} bytes, more than the ${MAX_TEXT_FILE_BYTES}-byte limit of the file tools; use grep to find the lines you need, or shell with sed -n`,
      );
    }
    const data = await workspace.readFile(path);
    if (looksBinary(data)) {
      return fail(`${shown} is a binary file (${data.length} bytes); the file tools handle text only`);
    }
    return { ok: true, text: data.toString('utf8'), size: data.length };
  } catch (error) {
    return { ok: false, error: failureFrom(error) };
  }
}

function fail(message: string): TextRead {
  return { ok: false, error: toolError(message) };
}
