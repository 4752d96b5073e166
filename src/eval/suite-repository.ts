import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { WardenError } from '../errors.ts';
import type { InstanceFields } from './suite-schema.ts';

/** `FILE:LINE` (JSONL) or `FILE:LINE:COL` (JSON, YAML) of a path inside one instance. */
export type Locate = (path: readonly PropertyKey[]) => string;

function suiteError(message: string, where: string, hint: string): WardenError {
  return new WardenError('eval.suite', message, { where, hint });
}

/** A git URL as the workspace clones it: https, http, file. */
export function isGitUrl(repository: string): boolean {
  return /^(https?|file):\/\//i.test(repository);
}

export function findRepository(
  fields: InstanceFields,
  locate: Locate,
  suiteDir: string,
  repos: string | undefined,
): string {
  const id = fields.instance_id;
  if (fields.repository !== undefined) {
    const given = fields.repository;
    if (isGitUrl(given)) return given;
    if (/^[a-z][a-z0-9+.-]*:\/\/|^[^/]+@[^/:]+:/i.test(given)) {
      throw suiteError(
        `instance "${id}": repository "${given}" is a URL Warden cannot clone`,
        locate(['repository']),
        'use an https://, http:// or file:// URL, or the path of a local clone',
      );
    }
    const dir = isAbsolute(given) ? given : resolve(suiteDir, given);
    if (!isDirectory(dir)) {
      throw suiteError(
        `instance "${id}": repository ${dir} is not a directory`,
        locate(['repository']),
        "a relative repository is taken from the suite file's directory",
      );
    }
    return dir;
  }
  if (fields.repo === undefined) {
    throw suiteError(
      `instance "${id}" names no repository`,
      locate([]),
      'add a "repository" field (a path or a git URL), or a "repo": "owner/name" found under --repos DIR',
    );
  }
  if (repos === undefined) {
    throw suiteError(
      `instance "${id}": repo "${fields.repo}" needs --repos DIR to be found`,
      locate(['repo']),
      'pass --repos DIR holding owner__name, owner/name or name clones, or add a "repository" field',
    );
  }
  const root = resolve(repos);
  const [owner = '', name = ''] = fields.repo.split('/');
  const candidates = [join(root, `${owner}__${name}`), join(root, owner, name), join(root, name)];
  const found = candidates.find(isDirectory);
  if (found === undefined) {
    throw suiteError(
      `instance "${id}": repo "${fields.repo}" is not under ${root}`,
      locate(['repo']),
      `clone it to one of ${candidates.join(', ')}, or add a "repository" field`,
    );
  }
  return found;
}

export function checkBaseCommit(
  fields: InstanceFields,
  repository: string,
  locate: Locate,
): string | undefined {
  const id = fields.instance_id;
  const git = isGitUrl(repository) || isGitRepository(repository);
  if (git && fields.base_commit === undefined) {
    throw suiteError(
      `instance "${id}": $.base_commit is missing`,
      locate([]),
      `${repository} is a git repository: give the commit the workspace starts at`,
    );
  }
  if (!git && fields.base_commit !== undefined) {
    throw suiteError(
      `instance "${id}": $.base_commit is given, but ${repository} is not a git repository`,
      locate(['base_commit']),
      'remove base_commit to start from the directory as it is, or point repository at a git repository',
    );
  }
  return fields.base_commit;
}

/** A work tree with `.git`, or a bare repository. */
export function isGitRepository(dir: string): boolean {
  return (
    existsSync(join(dir, '.git')) || (isDirectory(join(dir, 'objects')) && existsSync(join(dir, 'HEAD')))
  );
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}
