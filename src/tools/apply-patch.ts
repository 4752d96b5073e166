import { z } from 'zod';
import { messageOf } from '../errors.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';
import { parsePatch } from './patch/parse.ts';
import { type FileState, pathsOf, planPatch } from './patch/plan.ts';
import type { Patch } from './patch/types.ts';
import { looksBinary, MAX_TEXT_FILE_BYTES } from './text-file.ts';
import { failureFrom, shownPath, toolError } from './tool-output.ts';
import type { FileChange, Tool, ToolResult } from './types.ts';

const schema = z.strictObject({
  patch: z
    .string()
    .min(1)
    .describe(
      [
        'The patch text. Either the Codex format:',
        '*** Begin Patch',
        '*** Update File: src/app.ts',
        '@@ function main() {',
        ' unchanged line',
        '-removed line',
        '+added line',
        '*** Add File: src/new.ts',
        '+first line of the new file',
        '*** Delete File: src/old.ts',
        '*** End Patch',
        '(an Update File may be followed by "*** Move to: new/path"), or a unified diff as git diff writes it.',
      ].join('\n'),
    ),
});

export type ApplyPatchArgs = z.infer<typeof schema>;

const MARK: Record<FileChange['kind'], string> = { added: 'A', modified: 'M', deleted: 'D', moved: 'R' };

export function createApplyPatchTool(): Tool<ApplyPatchArgs> {
  return {
    name: 'apply_patch',
    description:
      'Apply a patch that adds, deletes, updates or moves one or more files. Give about three unchanged lines of context around each change. The whole patch is checked against the current files first: if any hunk does not match, nothing is written and the error shows which file and hunk failed.',
    schema,
    actions: (args) => {
      const parsed = parsePatch(args.patch);
      return parsed.ok ? pathsOf(parsed.value).map((path) => ({ kind: 'file.write' as const, path })) : [];
    },
    async prospective(args, workspace) {
      const plan = await planFromWorkspace(args.patch, workspace).catch(() => undefined);
      return plan && 'changes' in plan ? plan.changes : undefined;
    },
    async execute(args, context) {
      const { workspace } = context;
      const plan = await planFromWorkspace(args.patch, workspace);
      if ('error' in plan) return plan.error;
      const failure = await commit(workspace, plan.changes, plan.originals);
      if (failure) return failure;

      const summary = plan.changes.map(
        (c) => `${MARK[c.kind]} ${c.from ? `${c.from} -> ${c.path}` : c.path}`,
      );
      const count = (kind: FileChange['kind']): number => plan.changes.filter((c) => c.kind === kind).length;
      return {
        output: `applied the patch:\n${summary.join('\n')}`,
        details: {
          format: plan.format,
          files: plan.changes.length,
          added: count('added'),
          modified: count('modified'),
          deleted: count('deleted'),
          moved: count('moved'),
        },
        changes: plan.changes,
      };
    },
  };
}

type PatchPlan =
  | { format: Patch['format']; changes: FileChange[]; originals: Map<string, Buffer> }
  | { error: ToolResult };

/** The whole patch checked against the files as they are now; nothing is written here. */
async function planFromWorkspace(text: string, workspace: Workspace): Promise<PatchPlan> {
  const parsed = parsePatch(text);
  if (!parsed.ok)
    return { error: toolError(`could not parse the patch: ${parsed.error}. Nothing was changed.`) };
  const patch = normalisePaths(workspace, parsed.value);

  const current = new Map<string, FileState>();
  const originals = new Map<string, Buffer>();
  try {
    for (const path of pathsOf(patch)) {
      const loaded = await load(workspace, path);
      current.set(path, loaded.state);
      if (loaded.data) originals.set(path, loaded.data);
    }
  } catch (error) {
    return { error: failureFrom(error) };
  }

  const plan = planPatch(patch, current);
  if (!plan.ok) {
    const tail = plan.error.includes('Nothing was changed') ? '' : ' Nothing was changed.';
    return { error: toolError(`${plan.error}${tail}`) };
  }
  return { format: patch.format, changes: plan.value, originals };
}

function normalisePaths(workspace: Workspace, patch: Patch): Patch {
  const norm = (path: string): string => shownPath(workspace, path);
  return {
    format: patch.format,
    ops: patch.ops.map((op) =>
      op.kind === 'update' && op.moveTo
        ? { ...op, path: norm(op.path), moveTo: norm(op.moveTo) }
        : { ...op, path: norm(op.path) },
    ),
  };
}

async function load(workspace: Workspace, path: string): Promise<{ state: FileState; data?: Buffer }> {
  const stats = await workspace.stat(path);
  if (!stats) return { state: null };
  if (stats.isDirectory()) return { state: { problem: 'is a directory, not a file' } };
  if (stats.size > MAX_TEXT_FILE_BYTES) {
    return { state: { problem: `is ${stats.size} bytes, too large to patch` } };
  }
  const data = await workspace.readFile(path);
  if (looksBinary(data)) return { state: { problem: 'is a binary file; patches change text only' }, data };
  return { state: data.toString('utf8'), data };
}

/**
 * Writes the planned changes. Validation already passed, but the workspace can still refuse a
 * write (a protected path, a permission); then everything written so far is put back, so the
 * patch stays all-or-nothing as far as Warden can make it.
 */
async function commit(
  workspace: Workspace,
  changes: FileChange[],
  originals: ReadonlyMap<string, Buffer>,
): Promise<ReturnType<typeof toolError> | undefined> {
  const undo: Array<() => Promise<void>> = [];
  const restore = (path: string) => async () => {
    const data = originals.get(path);
    if (data) await workspace.writeFile(path, data);
    else await workspace.remove(path);
  };
  try {
    for (const change of changes) {
      if (change.kind === 'deleted') {
        await workspace.remove(change.path);
        undo.push(restore(change.path));
      } else if (change.kind === 'moved' && change.from) {
        const from = change.from;
        await workspace.rename(from, change.path);
        undo.push(() => workspace.rename(change.path, from));
        if (change.after !== change.before) {
          await workspace.writeFile(change.path, change.after ?? '');
          undo.push(async () => workspace.writeFile(change.path, originals.get(from) ?? change.before ?? ''));
        }
      } else {
        await workspace.writeFile(change.path, change.after ?? '');
        undo.push(restore(change.path));
      }
    }
    return undefined;
  } catch (error) {
    const undoErrors: string[] = [];
    for (const step of undo.reverse()) {
      await step().catch((undoError: unknown) => undoErrors.push(messageOf(undoError)));
    }
    const result = failureFrom(error);
    const rolledBack = undoErrors.length
      ? ` Rolling back the files already written failed: ${undoErrors.join('; ')}`
      : ' Files already written were restored; nothing was changed.';
    return { ...result, output: `${result.output}.${rolledBack}` };
  }
}
