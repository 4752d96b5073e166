import { watchedPath } from '../policy/runs-later.ts';
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
    const path = shownPath(workspace, action.path);
    const made = changes.find((c) => c.path === path);
    if (made) return { ...action, content: { before: made.before, after: made.after } };
    // The source of a move, or a write that will not happen: nothing is left to run.
    const moved = changes.find((c) => c.from === path);
    return { ...action, content: { before: moved?.before, after: undefined } };
  });
}
