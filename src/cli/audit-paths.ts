import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** A repository's audit logs: inside `.warden/`, which commands and file tools cannot change. */
export function auditDir(root: string, flag: string | undefined, cwd: string): string {
  return flag === undefined ? join(root, '.warden', 'audit') : resolve(cwd, flag);
}

/** The signing key lives with the user, never in a repository the agent can read. */
export function auditKeyDir(env: NodeJS.ProcessEnv): string {
  const state = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(state, 'warden', 'keys');
}
