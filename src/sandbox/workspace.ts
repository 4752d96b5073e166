import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, readlink, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, relative, resolve as resolvePath, sep } from 'node:path';
import { WardenError } from '../errors.ts';
import type { DirEntry, Workspace } from './workspace-types.ts';

/** The kernel's own limit on symlink hops; we follow dangling links by hand and stop at the same depth. */
const MAX_SYMLINK_HOPS = 40;

/*
 * The file boundary for the model's file tools. Warden's process can read the whole machine, so
 * every path the model names is resolved to its real location and refused unless it stays under
 * the root. What remains after the check: the last component is opened with O_NOFOLLOW, so a
 * symlink swapped in after the check cannot redirect a write. Swapping an intermediate directory
 * for a symlink in that window would need a process running concurrently with the file tool, and
 * none can: tool calls run one at a time, and every process a command starts dies with its
 * sandbox (a fresh PID namespace) before the command's result returns. Node has no
 * openat2/RESOLVE_BENEATH to close the window without that argument.
 */
/** Warden's state directory at the workspace root. */
const STATE_DIR = '.warden';

export async function createWorkspace(root: string): Promise<Workspace> {
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (error) {
    throw new WardenError('workspace.not_found', `workspace root ${root} does not exist`, { cause: error });
  }
  if (!(await stat(realRoot)).isDirectory()) {
    throw new WardenError('workspace.not_directory', `workspace root ${root} is not a directory`);
  }
  const rootPrefix = realRoot.endsWith(sep) ? realRoot : realRoot + sep;
  const inside = (real: string): boolean => real === realRoot || real.startsWith(rootPrefix);
  // When .git is itself a symlink to a directory elsewhere in the root, that directory holds the
  // hooks and config too, under a name the component check below would not see.
  const gitDir = await realpath(resolvePath(realRoot, '.git')).catch(() => undefined);

  const lexical = (path: string): string => {
    if (typeof path !== 'string' || path.length === 0) {
      throw new WardenError('path.invalid', 'the path is empty', {
        hint: 'name a file relative to the root',
      });
    }
    if (path.includes('\0')) {
      throw new WardenError('path.invalid', `the path ${JSON.stringify(path)} contains a NUL byte`);
    }
    return resolvePath(realRoot, path);
  };

  const outside = (path: string): WardenError =>
    new WardenError('path.outside_workspace', `${JSON.stringify(path)} resolves outside the workspace`, {
      hint: 'paths are relative to the workspace root and may not leave it, also not through symlinks',
    });

  /** The real path of `path`, following every symlink, refusing any that ends outside the root. */
  const resolve = async (path: string): Promise<string> => {
    const real = await realpathLoose(lexical(path), path);
    if (!inside(real)) throw outside(path);
    return real;
  };

  /** The real path of the directory entry itself: the parent is resolved, the last name is not followed. */
  const resolveEntry = async (path: string): Promise<string> => {
    const abs = lexical(path);
    const parent = await realpathLoose(dirname(abs), path);
    if (abs === realRoot || !inside(parent)) throw outside(path);
    const entry = resolvePath(parent, basename(abs));
    if (entry === realRoot || !inside(entry)) throw outside(path);
    return entry;
  };

  /** Warden's own git must never be hijackable through hooks or config, whatever name reaches it. */
  const assertWritable = (path: string, real: string): void => {
    const names = [...relative(realRoot, lexical(path)).split(sep), ...relative(realRoot, real).split(sep)];
    const inGitDir = gitDir !== undefined && (real === gitDir || real.startsWith(gitDir + sep));
    if (inGitDir || names.some((name) => name.toLowerCase() === '.git')) {
      throw new WardenError('path.protected', `${JSON.stringify(path)} is inside .git, which is read-only`, {
        hint: 'git metadata is managed by Warden; change working-tree files instead',
      });
    }
    // The session records of this very run live here; the agent must not rewrite its own history.
    if (relative(realRoot, real).split(sep)[0]?.toLowerCase() === STATE_DIR) {
      throw new WardenError(
        'path.protected',
        `${JSON.stringify(path)} is inside ${STATE_DIR}/, which is read-only`,
        {
          hint: "it holds Warden's session records; change working-tree files instead",
        },
      );
    }
  };

  return {
    root: realRoot,
    resolve,

    async readFile(path) {
      const real = await resolve(path);
      // O_NONBLOCK: a FIFO planted in the workspace must not hang Warden's process on open.
      const handle = await fsCall(path, () =>
        open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK),
      );
      try {
        assertRegularFile(path, await handle.stat());
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    },

    async writeFile(path, data) {
      const real = await resolve(path);
      assertWritable(path, real);
      if (real === realRoot)
        throw new WardenError('path.is_directory', `${JSON.stringify(path)} is a directory`);
      await fsCall(path, () => mkdir(dirname(real), { recursive: true }));
      const existing = await lstat(real).catch(() => undefined);
      let mode = 0o666;
      if (existing) {
        assertRegularFile(path, existing);
        // A hard link may share its inode with a file outside the root; write a fresh inode instead
        // so the other name keeps its content.
        if (existing.nlink > 1) {
          await fsCall(path, () => unlink(real));
          mode = existing.mode & 0o777;
        }
      }
      const handle = await fsCall(path, () =>
        open(
          real,
          constants.O_WRONLY |
            constants.O_CREAT |
            constants.O_TRUNC |
            constants.O_NOFOLLOW |
            constants.O_NONBLOCK,
          mode,
        ),
      );
      try {
        assertRegularFile(path, await handle.stat());
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
    },

    async remove(path) {
      const entry = await resolveEntry(path);
      assertWritable(path, entry);
      const found = await fsCall(path, () => lstat(entry));
      if (found.isDirectory()) {
        throw new WardenError('path.is_directory', `${JSON.stringify(path)} is a directory`, {
          hint: 'remove deletes files and symlinks only',
        });
      }
      await fsCall(path, () => unlink(entry));
    },

    async rename(from, to) {
      const source = await resolveEntry(from);
      const target = await resolveEntry(to);
      assertWritable(from, source);
      assertWritable(to, target);
      await fsCall(from, () => lstat(source));
      if ((await lstat(target).catch(() => undefined))?.isDirectory()) {
        throw new WardenError('path.is_directory', `${JSON.stringify(to)} is an existing directory`);
      }
      await fsCall(to, () => mkdir(dirname(target), { recursive: true }));
      await fsCall(from, () => rename(source, target));
    },

    async stat(path) {
      const real = await resolve(path);
      try {
        return await stat(real);
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw fsError(error, path);
      }
    },

    async readdir(path) {
      const real = await resolve(path);
      const entries = await fsCall(path, () => readdir(real, { withFileTypes: true }));
      return entries
        .map((entry): DirEntry => {
          const kind = entry.isFile()
            ? 'file'
            : entry.isDirectory()
              ? 'dir'
              : entry.isSymbolicLink()
                ? 'symlink'
                : 'other';
          return { name: entry.name, kind };
        })
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}

/**
 * realpath for a path that may not exist yet: the deepest existing ancestor is resolved and the
 * missing names appended. A dangling symlink is followed by hand, because creating a file through
 * it would land wherever it points.
 */
async function realpathLoose(abs: string, shown: string, hops = 0): Promise<string> {
  if (hops > MAX_SYMLINK_HOPS) {
    throw new WardenError('path.symlink', `${JSON.stringify(shown)}: too many levels of symbolic links`);
  }
  try {
    return await realpath(abs);
  } catch (error) {
    if (!isMissing(error)) throw fsError(error, shown);
  }
  const parent = dirname(abs);
  if (parent === abs) return abs;
  const candidate = resolvePath(await realpathLoose(parent, shown, hops), basename(abs));
  const found = await lstat(candidate).catch(() => undefined);
  if (!found?.isSymbolicLink()) return candidate;
  const target = resolvePath(dirname(candidate), await readlink(candidate));
  return realpathLoose(target, shown, hops + 1);
}

function assertRegularFile(path: string, stats: Stats): void {
  if (stats.isDirectory())
    throw new WardenError('path.is_directory', `${JSON.stringify(path)} is a directory`);
  if (!stats.isFile()) {
    throw new WardenError(
      'path.not_file',
      `${JSON.stringify(path)} is not a regular file (a device, FIFO or socket)`,
    );
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function fsCall<T>(path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw fsError(error, path);
  }
}

const FS_CODES: Record<string, [code: string, says: string]> = {
  ENOENT: ['path.not_found', 'no such file or directory'],
  ENOTDIR: ['path.not_found', 'a parent of it is not a directory'],
  EISDIR: ['path.is_directory', 'is a directory'],
  ELOOP: ['path.symlink', 'is a symlink (refused: writes never follow a symlink at the last name)'],
  EACCES: ['path.permission', 'permission denied'],
  EPERM: ['path.permission', 'operation not permitted'],
  ENOTEMPTY: ['path.not_empty', 'directory not empty'],
  EEXIST: ['path.exists', 'already exists'],
};

/** fs errors become WardenErrors naming the workspace path the model used, never Warden's absolute one. */
function fsError(error: unknown, path: string): unknown {
  if (error instanceof WardenError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known = code ? FS_CODES[code] : undefined;
  if (known) return new WardenError(known[0], `${JSON.stringify(path)}: ${known[1]}`, { cause: error });
  return new WardenError('path.io', `${JSON.stringify(path)}: ${code ?? 'I/O error'}`, { cause: error });
}
