import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { userCredentials } from '../agent/session-guards.ts';
import type { CredentialStore } from '../broker/credentials.ts';
import { cloneRepository } from '../broker/git-clone.ts';
import { WardenError } from '../errors.ts';
import type { CloneSettings } from './config.ts';
import { admitRepository } from './repository.ts';
import { admitRepositoryUrl, isRepositoryUrl, type UrlPrefix } from './repository-url.ts';
import type { TaskJob } from './task-queue.ts';
import { type TaskRecord, type TaskStatus, TERMINAL_STATUSES } from './task-store.ts';

/** Where each task's session works: its repository, or the broker's clone of its URL. */
export interface TaskWorkspaces {
  /** The work tree for a run; a URL is cloned first, or its clone reused when the task resumes. */
  open(task: TaskRecord, signal: AbortSignal): Promise<string>;
  /** After a run: a clone is removed once its task has ended, unless the config keeps clones. */
  release(task: TaskRecord, status: TaskStatus): Promise<void>;
}

/** Clones live in `workRoot/<task id>`, under the data directory, outside every allowed root. */
export function createTaskWorkspaces(options: {
  workRoot: string;
  clone: CloneSettings;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** The server's allowed roots and URL prefixes: every run is admitted again against them. */
  roots: readonly string[];
  prefixes: readonly UrlPrefix[];
  /**
   * How a task's URL is cloned when its source says (the GitHub App: an installation token for the
   * one repository, and the branch to start from); otherwise with the server user's credentials.
   */
  cloneWith?: (task: TaskRecord) => Promise<{ credentials: CredentialStore; branch?: string } | undefined>;
}): TaskWorkspaces {
  const { workRoot } = options;
  const dirOf = (task: TaskRecord) => join(workRoot, task.id);
  return {
    async open(task, signal) {
      // Checked when the task was created, and again now: between the two (a task waits in the
      // queue, or resumes days later) its directory may have been swapped for a link to anywhere.
      readmit(task, options.roots, options.prefixes);
      if (!isRepositoryUrl(task.repository)) return task.repository;
      const dir = dirOf(task);
      // A task resumed after a restart goes on in the clone holding its work so far.
      if (existsSync(join(dir, '.git'))) return dir;
      await mkdir(workRoot, { recursive: true, mode: 0o700 });
      // Cloned aside and renamed when complete: a clone cut off by a crash is never taken for one.
      const partial = `${dir}.partial`;
      await rm(partial, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
      // Credentials are read per clone, so a token set or rotated in the config is used at once.
      const source = await options.cloneWith?.(task);
      const result = await cloneRepository({
        url: task.repository,
        dir: partial,
        cwd: workRoot,
        credentials: source?.credentials ?? userCredentials(options.env),
        ...(source?.branch ? { branch: source.branch } : {}),
        depth: options.clone.depth,
        timeoutMs: options.clone.timeoutMs,
        signal,
      });
      if (!result.ok) {
        await rm(partial, { recursive: true, force: true });
        throw new WardenError('repo.clone', result.message, {
          where: 'repository',
          hint: 'check the URL, and that the server holds a credential for its host under "credentials:" in its user config',
        });
      }
      await rename(partial, dir);
      options.log(
        `task ${task.id}: cloned ${task.repository}${result.credential ? ` with credential "${result.credential}"` : ''}`,
      );
      return dir;
    },
    async release(task, status) {
      if (!isRepositoryUrl(task.repository) || !TERMINAL_STATUSES.has(status) || options.clone.keep) return;
      await rm(dirOf(task), { recursive: true, force: true }).catch((error: Error) =>
        options.log(`task ${task.id}: its clone was not removed: ${error.message}`),
      );
    },
  };
}

/**
 * A run goes on only where the task was admitted: the same real path, still inside the roots (or
 * the URL still under a prefix). Anything else fails the task with `repo.changed`.
 */
function readmit(task: TaskRecord, roots: readonly string[], prefixes: readonly UrlPrefix[]): void {
  const changed = (why: string) =>
    new WardenError(
      'repo.changed',
      `the repository of task ${task.id} changed since it was created: ${why}`,
      {
        where: task.repository,
        hint: 'restore the repository at that path (a directory, not a link), or create a new task for where it is now',
      },
    );
  try {
    if (isRepositoryUrl(task.repository)) {
      admitRepositoryUrl(task.repository, prefixes);
      return;
    }
    const admitted = admitRepository(task.repository, [...roots]);
    if (admitted.path !== task.repository) throw changed(`its real path is now ${admitted.path}`);
  } catch (error) {
    if (error instanceof WardenError && error.code === 'repo.changed') throw error;
    throw changed(error instanceof Error ? error.message : String(error));
  }
}

/**
 * A task as the queue takes it. The queue runs one task per repository at a time; a URL's tasks
 * each work in a clone of their own, so they are keyed apart.
 */
export function taskJob(task: Pick<TaskRecord, 'id' | 'team' | 'repository'>): TaskJob {
  const repository = isRepositoryUrl(task.repository) ? `${task.repository}#${task.id}` : task.repository;
  return { taskId: task.id, team: task.team, repository };
}
