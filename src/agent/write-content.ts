import { type WriteContent, watchedPath } from '../policy/runs-later.ts';
import type { PolicyAction } from '../policy/types.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';
import { shownPath } from '../tools/tool-output.ts';
import type { AnyTool, FileChange } from '../tools/types.ts';

/**
 * A write to a file that may run later carries its content to the policy: package.json (or
 * pyproject.toml, composer.json) is judged by what the write changes — a lifecycle script added
 * runs later, a dependency bumped does not — and a deletion plants nothing. The file tools say
 * what they would write (`prospective`); a tool that cannot say leaves the content unknown, and
 * the policy asks.
 */
export async function withWriteContent(
  tool: AnyTool,
  args: unknown,
  actions: PolicyAction[],
  workspace: Workspace,
): Promise<PolicyAction[]> {
  const judged = actions.some((a) => a.kind === 'file.write' && watchedPath(a.path));
  if (!judged || !tool.prospective) return actions;
  // Undefined: the call would fail before writing anything, as its own run will then say.
  let changes: FileChange[];
  try {
    changes = (await tool.prospective(args, workspace)) ?? [];
  } catch {
    return actions;
  }
  return actions.map((action) => {
    if (action.kind !== 'file.write' || !watchedPath(action.path)) return action;
    return { ...action, content: netChange(changes, shownPath(workspace, action.path)) };
  });
}

/**
 * What a whole patch does to one path, from the file as it is now to the file as the patch leaves
 * it: a patch may delete a workflow and add it again, bump a version then add a postinstall, or
 * move a file in — judging one operation alone misses the rest. The first operation that names
 * the path says what it holds now (a move's destination is absent, so everything it brings is
 * new); the last says what it will hold (the source of a move holds nothing).
 */
export function netChange(changes: readonly FileChange[], path: string): WriteContent {
  const touching = changes.filter((c) => c.path === path || c.from === path);
  const first = touching[0];
  const last = touching.at(-1);
  const before =
    first === undefined
      ? undefined
      : first.path === path && first.kind === 'moved'
        ? undefined
        : first.before;
  const after = last === undefined || last.path !== path ? undefined : last.after;
  return { before, after };
}
