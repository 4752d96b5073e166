import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { extname, join, relative, sep } from 'node:path';

/** The browser code and its page, beside this file. */
export const WEB_DIR = new URL('./web/', import.meta.url).pathname;

export interface ConsoleAsset {
  body: string;
  contentType: string;
  etag: string;
}

export interface ConsoleAssets {
  /** The asset at a path relative to the web directory (`main.ts`, `views/task.ts`), if it is one. */
  get(path: string): ConsoleAsset | undefined;
  /** Every path that can be served, for tests and diagnostics. */
  readonly paths: readonly string[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.ts': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The console's files as the browser gets them. TypeScript is served as JavaScript by Node's own
 * type stripping, which replaces types with spaces: line and column numbers stay those of the
 * source, so the browser's stack traces point into the files as written and no source map or
 * build step is needed. The set of servable paths is fixed when the server starts, from the
 * directory listing: a request names an entry of that set or nothing, never a file path.
 */
export function consoleAssets(dir = WEB_DIR): ConsoleAssets {
  const paths = listFiles(dir).filter(
    (path) => CONTENT_TYPES[extname(path)] !== undefined && !/\.(test|d)\.ts$/.test(path),
  );
  const servable = new Set(paths);
  // Each file is read and stripped once, on first request: the API's own tests never pay for it.
  const cache = new Map<string, ConsoleAsset>();
  return {
    paths,
    get(path) {
      if (!servable.has(path)) return undefined;
      let asset = cache.get(path);
      if (!asset) {
        const source = readFileSync(join(dir, path), 'utf8');
        const body = extname(path) === '.ts' ? strip(source) : source;
        asset = {
          body,
          contentType: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
          etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        };
        cache.set(path, asset);
      }
      return asset;
    },
  };
}

/**
 * Node's type stripping, without the notice it prints on first use ("ExperimentalWarning:
 * stripTypeScriptTypes is an experimental feature"), which would land in the operator's log with
 * nothing for them to do about it: the Node version is pinned (engines, the bundled Node 24) and
 * the tests parse every stripped file. The notice is emitted synchronously inside the call, so the
 * swap is over before anything else can run.
 */
function strip(source: string): string {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('stripTypeScriptTypes')) return;
    Reflect.apply(emitWarning, process, [warning, ...rest]);
  }) as typeof process.emitWarning;
  try {
    return stripTypeScriptTypes(source, { mode: 'strip' });
  } finally {
    process.emitWarning = emitWarning;
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}
