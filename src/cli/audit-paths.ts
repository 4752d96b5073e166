import { join, resolve } from 'node:path';
import { wardenStateDir } from '../state-dir.ts';

/** A repository's audit logs: inside `.warden/`, which commands and file tools cannot change. */
export function auditDir(root: string, flag: string | undefined, cwd: string): string {
  return flag === undefined ? join(root, '.warden', 'audit') : resolve(cwd, flag);
}

/** The signing key lives with the user, never in a repository the agent can read. */
export function auditKeyDir(env: NodeJS.ProcessEnv): string {
  return join(wardenStateDir(env), 'keys');
}
