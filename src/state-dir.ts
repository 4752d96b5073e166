import { homedir } from 'node:os';
import { join } from 'node:path';

/** Warden's state for this user, outside every repository: `$XDG_STATE_HOME/warden` (default `~/.local/state/warden`). */
export function wardenStateDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'warden');
}
