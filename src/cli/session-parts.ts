import { lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative } from 'node:path';
import { WardenError } from '../errors.ts';
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
 * Paths inside the workspace that commands may read but never change: git's metadata (hooks,
 * config and fsmonitor settings would run code on the host the next time anyone runs git there)
 * and Warden's own session records.
 */
const PROTECTED = ['.git', '.warden'];

/**
 * The sandbox, file boundary and store for a repository. The sandbox is checked before anything
 * else happens, so a machine without working bubblewrap fails with the fix, not halfway through.
 */
export async function openSessionParts(root: string): Promise<SessionParts> {
  refuseHomeDirectory(root);
  await detectSandbox();
  for (const name of PROTECTED) refuseLink(join(root, name));
  const store = SessionStore.open(join(root, '.warden'));
  const readOnly = PROTECTED.map((name) => join(root, name)).filter((path) =>
    lstatSync(path, { throwIfNoEntry: false }),
  );
  const sandbox = createBwrapSandbox({ workspace: root, extraReadOnly: readOnly });
  return { sandbox, workspace: await createWorkspace(root), store };
}

/** A repository could ship `.git` or `.warden` as a link to ~/.ssh: never follow one out. */
function refuseLink(path: string): void {
  if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw new WardenError('repo.unsafe', `${path} is a symbolic link`, {
      hint: 'Warden does not follow .git or .warden elsewhere; replace the link with a real directory',
    });
  }
}

/** The workspace is writable by the agent: a home directory would hand it ~/.ssh and ~/.aws. */
function refuseHomeDirectory(root: string): void {
  const home = homedir();
  const homeInside = !relative(root, home).startsWith('..');
  if (homeInside) {
    throw new WardenError('repo.unsafe', `${root} contains your home directory (${home})`, {
      hint: 'run Warden in a project directory, or pass one with --repo DIR',
    });
  }
}
