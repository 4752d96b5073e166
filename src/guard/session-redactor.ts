import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRedactor, type Redactor, secretsInDotenv, secretsInEnv } from './redactor.ts';

/** Bounds on the search for `.env` files: a monorepo's packages, not a whole disk. */
const MAX_DEPTH = 6;
const MAX_DIRS = 2000;
const MAX_FILES = 50;
const MAX_FILE_BYTES = 256 * 1024;
const SKIPPED = new Set(['node_modules', '.git', '.warden', 'vendor', '.venv', 'venv', '__pycache__']);

/** The keys Warden holds and the values of the workspace's `.env` files, plus every known shape. */
export async function sessionRedactor(root: string, env: NodeJS.ProcessEnv): Promise<Redactor> {
  const redactor = createRedactor();
  redactor.addKnown(secretsInEnv(env));
  for (const file of await dotenvFiles(root)) {
    const text = await readFile(file, 'utf8').catch(() => '');
    redactor.addKnown(secretsInDotenv(text));
  }
  return redactor;
}

/**
 * `.env` and `.env.*` files anywhere in the workspace (`apps/api/.env.local` as well as the root's),
 * breadth first so the shallow ones count first. Symbolic links are never followed, to files or
 * directories: the search stays inside the workspace, and a link cannot make it loop.
 */
export async function dotenvFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  let queue: string[] = [root];
  let visited = 0;
  for (let depth = 0; depth <= MAX_DEPTH && queue.length > 0; depth++) {
    const next: string[] = [];
    for (const dir of queue) {
      if (visited++ >= MAX_DIRS || found.length >= MAX_FILES) return found;
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const path = join(dir, entry.name);
        if (entry.isDirectory() && !SKIPPED.has(entry.name)) next.push(path);
        else if (entry.isFile() && isDotenv(entry.name) && found.length < MAX_FILES) {
          const size = await lstat(path).then(
            (s) => s.size,
            () => Infinity,
          );
          if (size <= MAX_FILE_BYTES) found.push(path);
        }
      }
    }
    queue = next;
  }
  return found;
}

function isDotenv(name: string): boolean {
  return name === '.env' || name.startsWith('.env.');
}
