import { join } from 'node:path';
import { createBwrapSandbox } from '../sandbox/bwrap.ts';
import { detectSandbox } from '../sandbox/detect.ts';
import type { Sandbox } from '../sandbox/types.ts';
import { createWorkspace } from '../sandbox/workspace.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';
import { SessionStore } from '../store/session-store.ts';

export interface SessionParts {
  sandbox: Sandbox;
  workspace: Workspace;
  store: SessionStore;
}

/**
 * The sandbox, file boundary and store for a repository. The sandbox is checked before anything
 * else happens, so a machine without working bubblewrap fails with the fix, not halfway through.
 */
export async function openSessionParts(root: string): Promise<SessionParts> {
  await detectSandbox();
  const stateDir = join(root, '.warden');
  const store = SessionStore.open(stateDir);
  // The session records sit inside the workspace; commands may read but never rewrite them.
  const sandbox = createBwrapSandbox({ workspace: root, extraReadOnly: [stateDir] });
  return { sandbox, workspace: await createWorkspace(root), store };
}
