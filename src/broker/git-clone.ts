import { NO_CREDENTIAL_ARGS, withCredentialHelper } from './credential-helper.ts';
import type { CredentialStore } from './credentials.ts';
import { git } from './git.ts';
import { oneTransport } from './git-transport.ts';

export interface CloneOptions {
  /** `https://…` (`http://` to this machine), or `file:///…`; validated by the caller. */
  url: string;
  /** Where the work tree goes; must not exist yet. */
  dir: string;
  /** The directory git runs in (the clone's parent). */
  cwd: string;
  credentials: CredentialStore;
  /** The branch to check out instead of the remote's default. */
  branch?: string;
  /** Commits of history; 0 or undefined for all. */
  depth?: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface CloneResult {
  ok: boolean;
  /** What went wrong, from git's own words; no credential is in it (none is in the URL or argv). */
  message: string;
  /** Whether a credential held for the URL's host went with the request. */
  credential: string | undefined;
}

/**
 * `git clone` made by Warden on the host, for a repository a task names by URL. Every other
 * transport is off (`protocol.allow=never`, then only the URL's own scheme), so neither the URL
 * nor a redirect nor a submodule can reach `ext::` (which runs a command) or `fd::`; redirects are
 * not followed (the URL passed the server's allow-list, its redirect target did not). A `file:`
 * URL goes through git's transport as a remote would, never the local shortcut that hard-links or
 * copies the source's `.git` (`--no-local`), and no global or system config is read: no helper,
 * filter, `insteadOf` or template of the server user's can act on a clone. The credential goes
 * through a helper bound to the URL's host, never in the URL (which stays clean in `.git/config`).
 */
export async function cloneRepository(options: CloneOptions): Promise<CloneResult> {
  const scheme = schemeOf(options.url);
  if (scheme === undefined) {
    return {
      ok: false,
      message: `git could not clone ${options.url}: the broker clones https, http and file URLs only`,
      credential: undefined,
    };
  }
  const settings = [
    ...oneTransport(scheme),
    '-c',
    'transfer.fsckObjects=true',
    '-c',
    'submodule.recurse=false',
    '-c',
    'init.templateDir=',
  ];
  const argv = [
    'clone',
    '--no-local',
    '--no-recurse-submodules',
    '--template=',
    '--quiet',
    ...(options.depth ? ['--depth', String(options.depth)] : []),
    ...(options.branch ? ['--branch', options.branch] : []),
    '--',
    options.url,
    options.dir,
  ];
  const run = (config: string[], env: Record<string, string>) =>
    git(options.cwd, [...settings, ...config, ...argv], {
      env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_ALLOW_PROTOCOL: scheme, ...env },
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  const credential = options.credentials.forUrl(options.url);
  const result = credential
    ? await withCredentialHelper(credential, options.url, (setup) => run(setup.args, setup.env))
    : await run(NO_CREDENTIAL_ARGS, {});
  if (result.code === 0) return { ok: true, message: '', credential: credential?.name };
  const said = result.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500);
  const message =
    result.code === 124
      ? `cloning ${options.url} took longer than ${Math.round(options.timeoutMs / 1000)} s`
      : result.code === 130
        ? `cloning ${options.url} was cancelled`
        : `git could not clone ${options.url}: ${said || `exit ${result.code}`}${
            credential || scheme === 'file' ? '' : ` (${options.credentials.whyNone(options.url)})`
          }`;
  return { ok: false, message, credential: credential?.name };
}

/** The transports a clone may use; the caller's allow-list narrows them further. */
function schemeOf(url: string): 'https' | 'http' | 'file' | undefined {
  const match = /^(https|http|file):\/\//i.exec(url);
  return match?.[1]?.toLowerCase() as 'https' | 'http' | 'file' | undefined;
}
