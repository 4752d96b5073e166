import type { FileChange } from '../types.ts';
import { applyHunks } from './apply-hunks.ts';
import type { Parsed, Patch } from './types.ts';

/** What a file holds before the patch: its text, nothing (`null`), or why it cannot be patched. */
export type FileState = string | null | { problem: string };

/** Every path a patch reads or writes, in order, so the caller can load them before planning. */
export function pathsOf(patch: Patch): string[] {
  const paths = new Set<string>();
  for (const op of patch.ops) {
    paths.add(op.path);
    if (op.kind === 'update' && op.moveTo) paths.add(op.moveTo);
  }
  return [...paths];
}

/**
 * The whole patch checked against the current files before anything is written: one change per
 * file operation, or the first error. Operations run in order over an overlay, so a later one sees
 * what an earlier one did.
 */
export function planPatch(patch: Patch, current: ReadonlyMap<string, FileState>): Parsed<FileChange[]> {
  const overlay = new Map(current);
  const state = (path: string): FileState => overlay.get(path) ?? null;
  const changes: FileChange[] = [];

  for (const op of patch.ops) {
    const before = state(op.path);
    if (op.kind === 'add') {
      if (before !== null) {
        return fail(`${op.path}: cannot add the file, it already exists; use an update to change it`);
      }
      const after = op.lines.length === 0 ? '' : op.lines.join('\n') + (op.noNewlineAtEnd ? '' : '\n');
      overlay.set(op.path, after);
      changes.push({ path: op.path, kind: 'added', after });
    } else if (op.kind === 'delete') {
      if (before === null) return fail(`${op.path}: cannot delete the file, it does not exist`);
      overlay.set(op.path, null);
      changes.push({ path: op.path, kind: 'deleted', ...(typeof before === 'string' ? { before } : {}) });
    } else {
      if (before === null) {
        return fail(`${op.path}: cannot update the file, it does not exist; add it as a new file instead`);
      }
      if (typeof before !== 'string') return fail(`${op.path}: ${before.problem}`);
      const applied =
        op.hunks.length === 0 ? { ok: true as const, value: before } : applyHunks(op.path, before, op.hunks);
      if (!applied.ok) return applied;
      const after = applied.value;
      if (op.moveTo && op.moveTo !== op.path) {
        if (state(op.moveTo) !== null) {
          return fail(`${op.path}: cannot move to ${op.moveTo}, which already exists`);
        }
        overlay.set(op.path, null);
        overlay.set(op.moveTo, after);
        changes.push({ path: op.moveTo, kind: 'moved', from: op.path, before, after });
      } else {
        if (op.hunks.length === 0) return fail(`${op.path}: the update changes nothing`);
        overlay.set(op.path, after);
        changes.push({ path: op.path, kind: 'modified', before, after });
      }
    }
  }
  return { ok: true, value: changes };
}

function fail<T>(error: string): Parsed<T> {
  return { ok: false, error };
}
