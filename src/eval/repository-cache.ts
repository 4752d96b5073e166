import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { userCredentials } from '../agent/session-guards.ts';
import type { CredentialStore } from '../broker/credentials.ts';
import { cloneRepository } from '../broker/git-clone.ts';
import { WardenError } from '../errors.ts';

/** Clones of the suite's git URLs, made once per process and shared by every trial. */
export interface RepositoryCache {
  /** A local repository holding the URL's whole history: cloned on first use, then reused. */
  local(url: string, signal?: AbortSignal): Promise<string>;
  /** Removes every clone. */
  close(): Promise<void>;
}

export interface RepositoryCacheOptions {
  /** Where clones go; default a private directory under the system's temporary one. */
  dir?: string;
  /** Default: the user's declared credentials (user config), as a served task's clone uses. */
  credentials?: CredentialStore;
  /** Per clone; default 10 minutes. */
  timeoutMs?: number;
}

export function createRepositoryCache(options: RepositoryCacheOptions = {}): RepositoryCache {
  const clones = new Map<string, Promise<string>>();
  let root: Promise<string> | undefined;
  const dirOf = () => {
    root ??=
      options.dir === undefined
        ? mkdtemp(join(tmpdir(), 'warden-eval-repos-'))
        : mkdir(options.dir, { recursive: true, mode: 0o700 }).then(() => options.dir as string);
    return root;
  };

  const clone = async (url: string, signal: AbortSignal | undefined): Promise<string> => {
    const parent = await dirOf();
    const dir = join(parent, createHash('sha256').update(url).digest('hex').slice(0, 16));
    await rm(dir, { recursive: true, force: true });
    // Whole history: an instance may start at any commit, and the next instance at another.
    const result = await cloneRepository({
      url,
      dir,
      cwd: parent,
      credentials: options.credentials ?? userCredentials(process.env),
      timeoutMs: options.timeoutMs ?? 600_000,
      ...(signal ? { signal } : {}),
    });
    if (!result.ok) {
      await rm(dir, { recursive: true, force: true });
      throw new WardenError('eval.repository', result.message, {
        where: url,
        hint: 'check the URL, and that your user config holds a credential for its host under "credentials:"',
      });
    }
    return dir;
  };

  return {
    local(url, signal) {
      let pending = clones.get(url);
      if (pending === undefined) {
        pending = clone(url, signal);
        // A failed clone (a cancelled trial, a network hiccup) is tried again by the next trial.
        pending.catch(() => clones.delete(url));
        clones.set(url, pending);
      }
      return pending;
    },
    async close() {
      await Promise.allSettled(clones.values());
      clones.clear();
      if (root !== undefined && options.dir === undefined)
        await rm(await root, { recursive: true, force: true });
    },
  };
}
