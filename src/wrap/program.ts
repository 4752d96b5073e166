import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { WardenError } from '../errors.ts';

export interface AgentProgram {
  /** The program as given (`codex`), for profile matching. */
  given: string;
  /** Its real path: what runs inside the sandbox, where it is bound at the same place. */
  path: string;
  /** Host paths the program needs inside, read-only: itself, or the node_modules it lives in. */
  readOnly: string[];
}

/**
 * Finds the agent the way a shell would (a name on PATH, or a path), then what must be visible
 * inside for it to start: an npm-installed agent is a script in a package whose native binary
 * sits in a sibling package, so the whole node_modules it lives in is shown, read-only.
 */
export function resolveProgram(given: string, options: { path: string; cwd: string }): AgentProgram {
  const candidates = given.includes('/')
    ? [resolve(options.cwd, given)]
    : options.path
        .split(delimiter)
        .filter((dir) => isAbsolute(dir))
        .map((dir) => join(dir, given));
  const found = candidates.find(isExecutableFile);
  if (found === undefined) {
    throw new WardenError('wrap.program', `${given}: not found${given.includes('/') ? '' : ' on PATH'}`, {
      hint: 'install the agent, or give its path (e.g. node_modules/.bin/codex)',
    });
  }
  const path = realpathSync(found);
  return { given, path, readOnly: [nodeModulesOf(path) ?? path] };
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The nearest `node_modules` directory above the path, if any. */
function nodeModulesOf(path: string): string | undefined {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    if (basename(dir) === 'node_modules') return dir;
  }
  return undefined;
}
