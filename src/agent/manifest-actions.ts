import { packageSourceFile } from '../guard/lockfiles.ts';
import { addedDependencies, manifestEcosystem } from '../guard/manifest-deps.ts';
import type { PolicyAction } from '../policy/types.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';
import type { AnyTool } from '../tools/types.ts';
import type { GateConcern } from './gate.ts';

export interface ManifestActions {
  /** One `dependency.add` per name the write adds to a manifest. */
  actions: PolicyAction[];
  /** Writes whose additions cannot be known: a person decides. */
  concerns: GateConcern[];
}

/**
 * A write to a lockfile or a registry setting is a concern of its own (see packageSourceFile).
 * A write to package.json, requirements*.txt, pyproject.toml, Cargo.toml or go.mod adds
 * dependencies as surely as `npm install` does, so the names it adds are judged like the
 * command's: as `dependency.add` actions. Every file tool takes this one path: its `prospective`
 * changes (the file as the call would leave it), compared with the file as it is.
 */
export async function manifestActions(
  tool: AnyTool,
  args: unknown,
  actions: readonly PolicyAction[],
  workspace: Workspace,
): Promise<ManifestActions> {
  // Lockfiles and registry settings are not read for names: any edit of one is asked about.
  const sourceFiles: GateConcern[] = actions.flatMap((action) => {
    const detail = action.kind === 'file.write' ? packageSourceFile(action.path) : undefined;
    return detail ? [{ source: 'dependency', rule: 'package-source-edit', detail }] : [];
  });
  const manifests = actions.filter(
    (action) => action.kind === 'file.write' && manifestEcosystem(action.path) !== undefined,
  );
  if (manifests.length === 0) return { actions: [], concerns: sourceFiles };
  if (!tool.prospective) {
    return {
      actions: [],
      concerns: [
        ...sourceFiles,
        {
          source: 'dependency',
          rule: 'unreadable-manifest',
          detail: `${tool.name} writes a manifest but cannot say what it would write, so the dependencies it adds cannot be checked`,
        },
      ],
    };
  }
  // Undefined: the call would fail before writing anything, as its own run will then say.
  const changes = (await tool.prospective(args, workspace)) ?? [];
  const found: ManifestActions = { actions: [], concerns: sourceFiles };
  for (const change of changes) {
    if (change.kind === 'deleted' || change.after === undefined || !manifestEcosystem(change.path)) continue;
    const before = change.kind === 'modified' ? change.before : undefined;
    const added = addedDependencies(change.path, before, change.after);
    if (added.ok) {
      for (const dep of added.added)
        found.actions.push({ kind: 'dependency.add', ecosystem: dep.ecosystem, name: dep.name });
    } else {
      found.concerns.push({
        source: 'dependency',
        rule: 'unreadable-manifest',
        detail: `${added.error}; the dependencies it would add cannot be checked`,
      });
    }
  }
  return found;
}
