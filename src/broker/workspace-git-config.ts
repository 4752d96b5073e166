import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { git } from './git.ts';

/** Settings that make git run a program; `-c` with an empty value turns each off. */
const PROGRAM_KEY = /^(filter\.(.+)\.(clean|smudge|process)|diff\.(.+)\.(textconv|command))$/i;

/**
 * `-c` settings that switch off every filter and diff driver defined in a file the agent can write.
 * The repository's config may include a workspace file (`include.path=../.gitconfig`,
 * `includeIf`): the agent could then define `filter.x.clean=<command>`, add a `.gitattributes`
 * line, and Warden's own `git add` for a snapshot would run the command on this machine, outside
 * the sandbox. Drivers defined elsewhere (the user's global config, `.git/config`, which the agent
 * cannot write: git-lfs) keep working.
 */
export async function workspaceDriverOverrides(root: string): Promise<string[]> {
  const listed = await git(root, [
    'config',
    '--show-origin',
    '--includes',
    '-z',
    '--get-regexp',
    '^(filter|diff)\\.',
  ]);
  if (listed.code !== 0) return [];
  const workspace = await real(resolve(root));
  const gitDir = await real(resolve(root, '.git'));
  const fields = listed.stdout.split('\0');
  const overrides: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const origin = fields[i] ?? '';
    const entry = fields[i + 1] ?? '';
    const key = entry.split('\n', 1)[0] ?? '';
    if (!origin.startsWith('file:') || !PROGRAM_KEY.test(key)) continue;
    // Through symlinks: an include outside that links back into the workspace is the workspace's.
    const file = await real(resolve(root, origin.slice('file:'.length)));
    if (!inside(workspace, file) || inside(gitDir, file)) continue;
    overrides.push('-c', `${key}=`);
    const filter = /^filter\.(.+)\.[a-z]+$/i.exec(key)?.[1];
    if (filter !== undefined) overrides.push('-c', `filter.${filter}.required=false`);
  }
  return overrides;
}

async function real(path: string): Promise<string> {
  return realpath(path).catch(() => path);
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}
