import { posix } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { likeMatcher } from './like.ts';
import { RUNS_LATER_CATALOG, type RunsLaterEntry } from './runs-later-catalog.ts';
import type { WriteContent } from './types.ts';

export type { WriteContent };

/**
 * The path as a case-insensitive file system would see it: a checkout on macOS or Windows opens
 * `.VSCode/Tasks.json` when VS Code asks for `.vscode/tasks.json`, and folds more than ASCII (the
 * Kelvin sign is a k, a long s an s). Windows also drops trailing dots and spaces from a name.
 * Folding more than any one file system does only ever asks more.
 */
export function foldPath(path: string): string {
  return path
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFKC')
    .split('/')
    .map((segment) => segment.replace(/[. ]+$/, '') || segment)
    .join('/');
}

/** Both spellings of a catalog pattern: at the root, and below any directory. */
export function anyDepth(pattern: string): string[] {
  return [pattern, `*/${pattern}`];
}

/**
 * An entry's patterns with the directories its directory patterns lie in (`.github/workflows/*`
 * gives `.github/workflows` and `.github`): a write whose path is one of those — a link
 * `.vscode -> elsewhere/`, `cargo --target-dir .vscode` — decides what the directory holds.
 */
export function entryPatterns(entry: RunsLaterEntry): string[] {
  const directories = entry.paths
    .filter((path) => path.endsWith('/*') && !path.includes('#'))
    .flatMap((path) => {
      const segments = path.slice(0, -2).split('/');
      return segments.map((_, i) => segments.slice(0, i + 1).join('/'));
    });
  return [...new Set([...entry.paths, ...directories])];
}

const MATCHERS = RUNS_LATER_CATALOG.map((entry) => ({
  entry,
  test: likeMatcher(entryPatterns(entry).flatMap(anyDepth)),
}));

/** Any entry, by the file's own path: one pass for walks over a whole tree. */
const ANY_PATH = likeMatcher(RUNS_LATER_CATALOG.flatMap((entry) => entryPatterns(entry).flatMap(anyDepth)));

/** For each file whose content is judged (by folded base name): the key paths the catalog watches. */
const WATCHED_KEYS = new Map<string, string[]>();
for (const entry of RUNS_LATER_CATALOG) {
  for (const path of entry.paths) {
    const hash = path.indexOf('#');
    if (hash < 0) continue;
    const [file, key] = [path.slice(0, hash), path.slice(hash + 1)];
    if (key === '?') continue;
    WATCHED_KEYS.set(file, [...(WATCHED_KEYS.get(file) ?? []), key]);
  }
}

/** Whether what a write to this path changes decides (package.json, pyproject.toml, composer.json). */
export function contentJudged(path: string): boolean {
  return WATCHED_KEYS.has(posix.basename(foldPath(path)));
}

/** Whether a write to this path could be in the category (by its name; content may decide). */
export function watchedPath(path: string): boolean {
  const folded = foldPath(path);
  return WATCHED_KEYS.has(posix.basename(folded)) || ANY_PATH(folded);
}

/**
 * What the policy's `plant` rules are asked about for a write: the folded path itself, and for a
 * file whose content is judged (package.json, pyproject.toml, composer.json), one subject per
 * watched key the write changes (`package.json#scripts.postinstall`) — or `#?` when the content
 * is unknown or unreadable. A deletion plants nothing: a file that is gone runs nothing (the
 * report still lists it).
 */
export function runsLaterSubjects(path: string, content?: WriteContent): string[] {
  if (content !== undefined && content.after === undefined) return [];
  const folded = foldPath(path);
  const keys = WATCHED_KEYS.get(posix.basename(folded));
  if (!keys) return [folded];
  if (content?.after === undefined) return [folded, `${folded}#?`];
  const after = parseDocument(folded, content.after);
  if (after === undefined) return [folded, `${folded}#?`];
  const before = content.before === undefined ? {} : (parseDocument(folded, content.before) ?? {});
  const changed = keys.filter((key) => valueAt(before, key) !== valueAt(after, key));
  return [folded, ...changed.map((key) => `${folded}#${key}`)];
}

/** The catalog entries a write matches, as the compiled rules would: for reports and listings. */
export function classifyRunsLater(path: string, content?: WriteContent): RunsLaterEntry[] {
  const subjects = runsLaterSubjects(path, content);
  return MATCHERS.filter((m) => subjects.some((subject) => m.test(subject))).map((m) => m.entry);
}

function parseDocument(foldedPath: string, text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = foldedPath.endsWith('.toml') ? parseToml(text) : JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The value at a dotted key path, as comparable text. Keys compare case-folded (a tool that reads
 * `Scripts` is not likely, but asking about it costs nothing); `*` is any key.
 */
function valueAt(document: unknown, keyPath: string): string {
  let values: unknown[] = [document];
  for (const segment of keyPath.split('.')) {
    values = values.flatMap((value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [];
      return Object.entries(value as Record<string, unknown>)
        .filter(([key]) => segment === '*' || key.toLowerCase() === segment)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, inner]) => inner);
    });
  }
  return JSON.stringify(values);
}
