import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sendsSafely } from '../broker/credentials.ts';
import { WardenError } from '../errors.ts';

/**
 * A prefix of repository URLs the server's config allows: a URL is an authority like a path
 * (the broker fetches whatever it names, with the credential it holds for the host), so clients
 * choose only among what is listed.
 */
export interface UrlPrefix {
  /** As configured, normalised: what teams list and errors show. */
  text: string;
  url: URL;
  /** For `file:` prefixes, the directory's real path: links in a client's URL are resolved against it. */
  realPath?: string;
}

export interface AdmittedUrl {
  /** The normalised URL, without credentials: what is stored, shown and cloned. */
  url: string;
  /** The allowed prefix it lies under (what Cedar's team roots hold). */
  prefix: string;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Userinfo as git reads it: anything up to an `@` before the first `/`, `?` or `#` of the authority.
const USERINFO = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*@/;
const CREDENTIALS_HINT =
  'give the URL without user or token, and the token to the server under "credentials:" in its user config (warden.config.yaml), for the host';

/** Whether a client's `repository` names a URL (cloned by the broker) rather than a path. */
export function isRepositoryUrl(text: string): boolean {
  return !isAbsolute(text) && SCHEME.test(text);
}

/**
 * Parses a URL the server may clone, or says what is wrong with it: `https:` (plain `http:` only to
 * this machine, as the broker sends credentials) and `file:`; no credentials, query, fragment,
 * control characters or encoded separators. `ext::`, `ssh:` and the rest are refused here, and git
 * is told the same when it clones.
 */
export function parseRepositoryUrl(text: string): URL | { problem: string; hint?: string } {
  if (/[\s\p{Cc}]/u.test(text)) return { problem: 'has spaces or control characters' };
  if (USERINFO.test(text)) return { problem: 'carries credentials', hint: CREDENTIALS_HINT };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { problem: 'is not a URL', hint: 'give https://host/owner/repo.git or file:///path/repo.git' };
  }
  if (url.username || url.password) return { problem: 'carries credentials', hint: CREDENTIALS_HINT };
  const scheme = url.protocol;
  const loopbackHttp = scheme === 'http:' && sendsSafely(url);
  if (scheme !== 'https:' && scheme !== 'file:' && !loopbackHttp) {
    return {
      problem: `uses ${scheme.replace(/:$/, '')}:, which the server does not clone`,
      hint: 'use an https:// URL (http:// only to this machine) or a file:/// URL',
    };
  }
  if (url.search || url.hash || text.includes('?') || text.includes('#')) {
    return { problem: 'has a query or fragment', hint: 'give the repository URL alone' };
  }
  // Decoded by git or the server, these would be separators the prefix check never saw.
  if (/%(2f|5c|2e|00)/i.test(url.pathname)) return { problem: 'has encoded "/", "\\" or "." in its path' };
  if (scheme === 'file:' && url.host !== '') {
    return { problem: 'names a host in a file: URL', hint: 'file URLs are file:///absolute/path' };
  }
  return url;
}

/** A configured prefix, checked as a client's URL is; a `file:` prefix must exist. */
export function parseUrlPrefix(text: string): UrlPrefix | { problem: string; hint?: string } {
  const url = parseRepositoryUrl(text);
  if (!(url instanceof URL)) return url;
  if (url.protocol !== 'file:') return { text: url.href, url };
  try {
    return { text: url.href, url, realPath: realpathSync(fileURLToPath(url)) };
  } catch {
    return { problem: `names ${fileURLToPath(url)}, which does not exist` };
  }
}

/**
 * Admits a client's repository URL when it lies under one of the server's prefixes: the same
 * scheme and host (and port), and a path under the prefix's at a `/` boundary, so that
 * `https://git.example.com/team` does not admit `https://git.example.com/team-b/x.git`. A `file:`
 * URL is admitted only if its real path (links resolved) is inside the real path of the prefix it
 * was admitted under.
 * Errors name the `repository` field.
 */
export function admitRepositoryUrl(text: string, prefixes: readonly UrlPrefix[]): AdmittedUrl {
  const refuse = (message: string, hint?: string) =>
    new WardenError('request.invalid', message, { where: 'repository', ...(hint ? { hint } : {}) });
  const shown = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  const url = parseRepositoryUrl(text);
  if (!(url instanceof URL)) {
    // The URL is not repeated when it carries a credential: errors are logged and shown.
    const what = url.problem === 'carries credentials' ? 'the repository URL' : shown;
    throw refuse(`repository: ${what} ${url.problem}`, url.hint);
  }
  const matching = prefixes.filter((p) => underPrefix(url, p.url));
  const outside = () =>
    refuse(
      `repository: ${url.href} is outside the repository URLs this server allows`,
      prefixes.length
        ? `allowed prefixes: ${prefixes.map((p) => p.text).join(', ')}`
        : 'the server allows none yet: add prefixes to "repository_urls" in its server.yaml',
    );
  let prefix = matching[0];
  if (!prefix) throw outside();
  if (url.protocol === 'file:') {
    let real: string;
    try {
      real = realpathSync(fileURLToPath(url));
      if (!statSync(real).isDirectory()) throw new Error('not a directory');
    } catch {
      throw refuse(`repository: ${url.href} is not an existing directory`);
    }
    // Again with links resolved, and inside the very prefix the URL's text chose: the prefix names
    // the team's root for Cedar, so a link under one team's prefix must not reach another's.
    prefix = matching.find((p) => p.realPath !== undefined && inside(p.realPath, real));
    if (!prefix) throw outside();
  }
  return { url: url.href, prefix: prefix.text };
}

/** Whether a URL lies under a prefix: same scheme and host, and a path under the prefix's at a `/`. */
export function underPrefix(url: URL, prefix: URL): boolean {
  if (url.protocol !== prefix.protocol || url.host !== prefix.host) return false;
  const base = prefix.pathname;
  if (url.pathname === base || base === '/') return true;
  return url.pathname.startsWith(base.endsWith('/') ? base : `${base}/`);
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
