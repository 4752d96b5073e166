import { isAbsolute, posix, relative, sep } from 'node:path';
import { isWardenError } from '../errors.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';
import type { ToolResult } from './types.ts';

/** A result the model can act on: what was wrong and what to do instead. */
export function toolError(output: string, details?: Record<string, unknown>): ToolResult {
  return details ? { isError: true, output, details } : { isError: true, output };
}

/**
 * A refusal or failure from the workspace (escape, protected path, missing file) is something the
 * model can correct, so it goes back as a tool error; anything else is a bug and keeps throwing.
 */
export function failureFrom(error: unknown): ToolResult {
  if (isWardenError(error)) return toolError(error.describe());
  throw error;
}

/** The path as the model should see it: workspace-relative, forward slashes, no `./`. */
export function shownPath(workspace: Workspace, path: string): string {
  let shown = path;
  if (isAbsolute(path)) {
    const rel = relative(workspace.root, path);
    if (!rel.startsWith('..') && !isAbsolute(rel)) shown = rel.split(sep).join('/');
  }
  shown = posix.normalize(shown.split(sep).join('/'));
  if (shown.startsWith('./')) shown = shown.slice(2);
  if (shown.length > 1 && shown.endsWith('/')) shown = shown.slice(0, -1);
  return shown === '' ? '.' : shown;
}
