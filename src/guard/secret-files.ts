import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bounds on the search: a repository's own files, not its dependencies or a data dump. */
export interface SecretFileBounds {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const SECRET_FILE_BOUNDS: SecretFileBounds = {
  maxFiles: 20_000,
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024,
};

/** Installed packages, virtual environments, VCS and Warden's own state are not the project's files. */
const SKIPPED = new Set([
  '.git',
  '.hg',
  '.svn',
  '.warden',
  'node_modules',
  'bower_components',
  'vendor',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  '.mypy_cache',
  '.gradle',
  'target',
]);

export interface SecretFiles {
  /** Workspace-relative path → the kind of the known value it holds. */
  files: Map<string, string>;
  /** Files read, and whether every file of the workspace was (false: a bound was reached). */
  searched: number;
  complete: boolean;
  /** Files too large to read, left unsearched. */
  skipped: string[];
}

/**
 * The workspace's files that hold a known secret value in any form (the same match as the
 * redactor's: a key pasted into `config.js`, base64 in a Kubernetes manifest), so that they can be
 * masked and asked about like `.env`: a command could otherwise shift the value (`tr`, `rev`,
 * `base64`) before anything sees it. Symbolic links are not followed; files the policy already
 * hides are not read.
 */
export async function findSecretFiles(
  root: string,
  holds: (text: string) => string | undefined,
  hidden: (path: string) => boolean,
  bounds: SecretFileBounds = SECRET_FILE_BOUNDS,
): Promise<SecretFiles> {
  const result: SecretFiles = { files: new Map(), searched: 0, complete: true, skipped: [] };
  let total = 0;
  let queue: string[] = [''];
  while (queue.length > 0) {
    const next: string[] = [];
    for (const dir of queue) {
      const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = dir ? `${dir}/${entry.name}` : entry.name;
        if (hidden(path)) continue;
        if (entry.isDirectory()) {
          if (!SKIPPED.has(entry.name)) next.push(path);
          continue;
        }
        if (!entry.isFile()) continue;
        if (result.searched >= bounds.maxFiles || total >= bounds.maxTotalBytes) {
          result.complete = false;
          return result;
        }
        const text = await readBounded(join(root, path), bounds.maxFileBytes);
        if (text === undefined) {
          result.skipped.push(path);
          continue;
        }
        result.searched += 1;
        total += text.length;
        const kind = holds(text);
        if (kind !== undefined) result.files.set(path, kind);
      }
    }
    // Breadth first: the shallow files, the likeliest to be configuration, are read first.
    queue = next;
  }
  return result;
}

/** The file's text, or undefined when it is larger than `max` bytes or cannot be read. */
async function readBounded(path: string, max: number): Promise<string | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const { size } = await handle.stat();
    if (size > max) return undefined;
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    return decoded(buffer.subarray(0, bytesRead));
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * UTF-16 (what PowerShell's `>` writes) read as UTF-8 puts a NUL between the key's characters,
 * and no form of it matches: a byte-order mark or a NUL in every other byte says which it is.
 */
function decoded(bytes: Buffer): string {
  const nulsAt = (parity: number) => {
    let count = 0;
    for (let i = parity; i < Math.min(bytes.length, 4096); i += 2) if (bytes[i] === 0) count++;
    return count / Math.max(1, Math.min(bytes.length, 4096) / 2);
  };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || nulsAt(1) > 0.3) return bytes.toString('utf16le');
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || nulsAt(0) > 0.3)
    return Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)))
      .swap16()
      .toString('utf16le');
  return bytes.toString('utf8');
}
