import { createHash } from 'node:crypto';
import { chmod, lstat, readdir, readFile, readlink, realpath, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { WriteContent } from '../policy/runs-later.ts';
import { watchedPath } from '../policy/runs-later.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';

/**
 * Files that run later, outside the sandbox, written by a program the policy let run (a test
 * script, a code generator, `npm install` running husky): the policy never saw those writes. Before
 * and after each command, the files of the category are read from the workspace — gitignored ones
 * too, since an ignored `.envrc` or `.vscode/` still runs on the machine of whoever has the
 * checkout — and each one the command added, changed or removed is handed back to be judged like
 * a write, and put back as it was when the answer is no. Denied paths (`.env`, `.npmrc`) are read
 * too: they are masked from commands only once they exist, so a command can create one.
 */
export interface PlantedWatch {
  /** Before a command: what the files of the category hold (read again only after a file tool wrote). */
  before(): Promise<void>;
  /** After it: each file of the category the command added, changed or removed. */
  after(): Promise<PlantedChange[]>;
  /** Puts one back as it was before the command; false when it cannot be (too large, not a file). */
  restore(change: PlantedChange): Promise<boolean>;
  /** A file tool wrote: the next `before` reads the tree again. */
  touched(): void;
  /**
   * A write of this path was judged and allowed before the call ran (a command's redirect, once
   * approved): the command's change to it is not asked about again.
   */
  allowed(path: string): void;
}

export interface PlantedChange {
  path: string;
  kind: 'added' | 'modified' | 'deleted';
  /** As text, for the policy to judge what a package.json change does. */
  content: WriteContent;
}

type Seen =
  | { kind: 'file'; data: Buffer | undefined; hash: string; mode: number }
  | { kind: 'link'; target: string; data: Buffer | undefined; hash: string }
  | { kind: 'other' };

type Snapshot = Map<string, Seen>;

// Directories of installed packages, caches and build output: large, rebuilt by tools, and not
// read by anything in the catalog. Git's and Warden's own directories are read-only to commands.
const SKIP = new Set([
  '.git',
  '.warden',
  'node_modules',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.gradle',
  '.cache',
  'target',
]);
/**
 * Directories read through links, per walk: a tree of links to links grows without end, and a
 * link at a catalog directory's own path is judged by itself whether or not its tree is read.
 */
const ALIAS_DIRECTORIES = 2000;
/** Content kept to put a file back; a larger one is known by its hash only. */
const KEEP_BYTES = 8 * 1024 * 1024;

export function createPlantedWatch(workspace: Workspace): PlantedWatch {
  const root = workspace.root;
  let last: Snapshot | undefined;
  let current: Snapshot | undefined;
  const judged = new Set<string>();

  const read = async (): Promise<Snapshot> => {
    const found: Snapshot = new Map();
    // Every directory is read first by its own path, then each link to a directory is read as the
    // consumer would see it (an editor opens `.vscode/` whatever `.vscode` points at): links
    // nearest the root first, as budget allows.
    const links: Array<{ dir: string; shown: string; above: ReadonlySet<string> }> = [];
    let budget = ALIAS_DIRECTORIES;
    const walk = async (dir: string, shown: string, above: ReadonlySet<string>, alias: boolean) => {
      const real = await realpath(dir).catch(() => undefined);
      // A directory inside itself (a link to a parent) is read once on each path, not forever.
      if (real === undefined || above.has(real) || !inside(root, real)) return;
      if (alias && budget-- <= 0) return;
      const inner = new Set(above).add(real);
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = shown ? `${shown}/${entry.name}` : entry.name;
        const absolute = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!SKIP.has(entry.name)) await walk(absolute, path, inner, alias);
          continue;
        }
        // A link at a catalog directory's path is itself a write of the category.
        if (entry.isSymbolicLink() && (await stat(absolute).catch(() => undefined))?.isDirectory()) {
          if (watchedPath(path)) found.set(path, await seen(root, absolute));
          links.push({ dir: absolute, shown: path, above: inner });
          continue;
        }
        if (watchedPath(path)) found.set(path, await seen(root, absolute));
      }
    };
    await walk(root, '', new Set(), false);
    for (let i = 0; i < links.length && budget > 0; i++) {
      const link = links[i];
      if (link) await walk(link.dir, link.shown, link.above, true);
    }
    return found;
  };

  return {
    async before() {
      if (!current) current = await read();
      last = current;
    },
    async after() {
      const then = last ?? new Map();
      const now = await read();
      current = now;
      const changes: PlantedChange[] = [];
      for (const path of new Set([...then.keys(), ...now.keys()])) {
        const [was, is] = [then.get(path), now.get(path)];
        if ((was && is && sameAs(was, is)) || judged.has(path)) continue;
        const kind = !was ? 'added' : !is ? 'deleted' : 'modified';
        changes.push({ path, kind, content: { before: textOf(was), after: textOf(is) } });
      }
      judged.clear();
      return changes.sort((a, b) => (a.path < b.path ? -1 : 1));
    },
    async restore(change) {
      const was = last?.get(change.path);
      try {
        if (change.kind !== 'added' && (!was || was.kind === 'other' || was.data === undefined)) return false;
        const now = await lstat(join(root, change.path)).catch(() => undefined);
        if (now && !now.isDirectory()) await workspace.remove(change.path);
        if (was?.kind === 'file' && was.data) {
          await workspace.writeFile(change.path, was.data);
          await chmod(await workspace.resolve(change.path), was.mode & 0o777);
        } else if (was?.kind === 'link') {
          const parent = await workspace.resolve(dirname(change.path));
          await symlink(was.target, join(parent, basename(change.path)));
          // The link may be as it was and the file it points at written (`src/p.json` through
          // `package.json -> src/p.json`): that file is put back too.
          const real = await realpath(join(root, change.path)).catch(() => undefined);
          if (was.data && real && inside(root, real))
            await workspace.writeFile(relative(root, real), was.data);
        }
        current = undefined;
        return true;
      } catch {
        current = undefined;
        return false;
      }
    },
    touched() {
      current = undefined;
      judged.clear();
    },
    allowed(path) {
      judged.add(path);
    },
  };
}

async function seen(root: string, path: string): Promise<Seen> {
  const entry = await lstat(path).catch(() => undefined);
  if (entry?.isSymbolicLink()) {
    const target = await readlink(path).catch(() => '');
    // What a link points to is read only inside the workspace: never a file of the host's.
    const real = await realpath(path).catch(() => undefined);
    const content = real && inside(root, real) ? await contentOf(path) : { data: undefined, hash: 'outside' };
    return { kind: 'link', target, ...content, hash: `${target}\0${content.hash}` };
  }
  if (!entry?.isFile()) return { kind: 'other' };
  return { kind: 'file', mode: entry.mode, ...(await contentOf(path)) };
}

/** A regular file's bytes (through a link, only when it ends inside the workspace's tree). */
async function contentOf(path: string): Promise<{ data: Buffer | undefined; hash: string }> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return { data: undefined, hash: 'none' };
  if (info.size > KEEP_BYTES)
    return { data: undefined, hash: `large:${info.size}:${info.mtimeMs}:${info.ino}` };
  const data = await readFile(path).catch(() => undefined);
  if (!data) return { data: undefined, hash: 'unreadable' };
  return { data, hash: createHash('sha256').update(data).digest('hex') };
}

function sameAs(a: Seen, b: Seen): boolean {
  if (a.kind === 'other' || b.kind === 'other') return a.kind === b.kind;
  return (
    a.kind === b.kind && a.hash === b.hash && (a.kind !== 'file' || b.kind !== 'file' || a.mode === b.mode)
  );
}

/** Undefined only when absent: a file Warden will not read (a link out, a FIFO) is there, unread. */
function textOf(seen: Seen | undefined): string | undefined {
  if (!seen) return undefined;
  return seen.kind === 'other' ? '' : (seen.data?.toString('utf8') ?? '');
}

function inside(root: string, real: string): boolean {
  const rel = relative(root, real);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}
