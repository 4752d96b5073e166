import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { gitSync } from '../broker/git.ts';
import { WardenError } from '../errors.ts';

export interface AdmittedRepository {
  /** The work tree's real path (git's top level). */
  path: string;
  /** The allowed root it lies in. */
  root: string;
}

/**
 * A client names a repository by path, and a path is an authority: the agent will read and write
 * there. Admitted only when it is an existing git work tree's top level whose real path (links
 * resolved) lies inside one of the server's roots; errors name the field for the API.
 */
export function admitRepository(
  path: string,
  roots: string[],
  options: { plainDirectories?: boolean } = {},
): AdmittedRepository {
  const refuse = (message: string, hint: string) =>
    new WardenError('request.invalid', message, { where: 'repository', hint });
  const outside = () =>
    refuse(
      `${path} is outside the repositories this server allows`,
      roots.length
        ? `allowed roots: ${roots.join(', ')}`
        : 'the server allows none yet: add roots to "repositories" in its server.yaml',
    );
  if (!isAbsolute(path))
    throw refuse(`"${path}" is not an absolute path`, 'give the full path of a git repository');
  // Outside every root, refused before the file system is asked: nobody learns what exists there.
  if (!roots.some((r) => inside(r, resolve(path)))) throw outside();
  let real: string;
  try {
    real = realpathSync(path);
    if (!statSync(real).isDirectory()) throw new Error('not a directory');
  } catch {
    throw refuse(`${path} is not an existing directory`, 'give the full path of a git repository');
  }
  // Again with links resolved: a link inside a root may point anywhere.
  const root = roots.find((r) => inside(r, real));
  if (root === undefined) throw outside();
  // An evaluation's plain directory is only ever copied into a workspace of its own: no git needed.
  // One shaped like a bare repository is not plain: git would fetch from it, following its
  // alternates and commondir wherever they point, so it must pass the checks below (and does not).
  const bare = existsSync(join(real, 'HEAD')) && existsSync(join(real, 'objects'));
  if (options.plainDirectories && !bare && !existsSync(join(real, '.git'))) return { path: real, root };
  const git = gitSync(real, [
    'rev-parse',
    '--path-format=absolute',
    '--show-toplevel',
    '--absolute-git-dir',
    '--git-common-dir',
  ]);
  const [topLevel = '', gitDir = '', commonDir = ''] = git.code === 0 ? git.stdout.trim().split('\n') : [];
  if (!topLevel || realpathSync(topLevel) !== real) {
    throw refuse(
      `${path} is not the top level of a git work tree`,
      "give the repository's top-level directory (git rev-parse --show-toplevel)",
    );
  }
  // A `.git` file (gitdir: …) may name a repository anywhere: the broker writes its config, refs
  // and hooks host-side, so the git directories must lie in the same root as the work tree.
  for (const [what, dir] of [
    ['git directory', gitDir],
    ['common git directory', commonDir],
  ] as const) {
    if (!dir || !inside(root, realOrSelf(dir))) {
      throw refuse(
        `${path} keeps its ${what} at ${dir || '(unknown)'}, outside ${root}`,
        'the .git of a served repository must be a directory inside it (or a worktree of a repository in the same root)',
      );
    }
  }
  return { path: real, root };
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
