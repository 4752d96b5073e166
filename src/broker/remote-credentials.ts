import { WardenError } from '../errors.ts';
import { type CredentialStore, credentialNameForHost } from './credentials.ts';
import { git } from './git.ts';

/** A credential taken out of `.git/config`: what was changed, never the value. */
export interface MovedCredential {
  /** The config key, e.g. `remote.origin.url`. */
  key: string;
  /** The URL as it now reads; empty when the setting was removed instead (a header, a helper). */
  url: string;
  /** The finding: `credential-in-remote-url` when unset, else what held it (`credential-in-http-header`, …). */
  rule?: string;
  /** The name it is held under (what the policy's `secrets:` grants). */
  name: string;
  host: string;
}

// Scheme, then userinfo up to the last `@` before the host, as a URL parser reads it.
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i;

/** A URL's credential and the URL without it; undefined when it carries none (an ssh account name is none). */
export function splitUserinfo(
  url: string,
): { clean: string; username: string; password: string } | undefined {
  const userinfo = USERINFO.exec(url);
  if (!userinfo) return undefined;
  const [, scheme = '', info = ''] = userinfo;
  // ssh://git@host names an account, not a secret; only a password there is one.
  const http = /^https?:\/\/$/i.test(scheme);
  const colon = info.indexOf(':');
  if (!http && colon < 0) return undefined;
  return {
    clean: url.replace(USERINFO, '$1'),
    username: decode(colon < 0 ? info : info.slice(0, colon)),
    password: colon < 0 ? '' : decode(info.slice(colon + 1)),
  };
}

/**
 * Moves credentials out of the workspace's remote URLs before the agent can read `.git/config`:
 * `https://x-access-token:ghp_…@github.com/o/r.git` becomes `https://github.com/o/r.git`, and the
 * token is held by the broker for that host alone. Only the repository's own config is read and
 * changed; values are replaced exactly (`--fixed-value`), never matched as patterns. A URL that
 * cannot be rewritten stops the session: the token would otherwise sit where the agent reads.
 */
export async function moveRemoteCredentials(
  root: string,
  store: CredentialStore,
): Promise<MovedCredential[]> {
  const found = await git(root, [
    'config',
    '--local',
    '-z',
    '--get-regexp',
    '^(remote\\..*\\.(url|pushurl)|submodule\\..*\\.url)$',
  ]);
  // 1: no such key, which is the common case; anything else means no readable repository config.
  if (found.code !== 0) return [];
  const moved: MovedCredential[] = [];
  for (const entry of found.stdout.split('\0')) {
    const newline = entry.indexOf('\n');
    if (newline < 0) continue;
    const key = entry.slice(0, newline);
    const value = entry.slice(newline + 1);
    const split = splitUserinfo(value);
    if (!split) continue;
    const { clean, username, password } = split;
    const rewrite = await git(root, [
      'config',
      '--local',
      '--fixed-value',
      '--replace-all',
      key,
      clean,
      value,
    ]);
    if (rewrite.code !== 0) {
      throw new WardenError(
        'repo.credential',
        `${key} carries a credential and Warden could not move it out of .git/config: ${rewrite.stderr.trim()}`,
        {
          where: root,
          hint: 'remove it yourself (git remote set-url) and give Warden the token under "credentials:" in your user config',
        },
      );
    }
    const host = hostOf(clean);
    const name = credentialNameForHost(host);
    store.add({ name, host, username, password, origin: `${key} in .git/config` });
    moved.push({ key, url: clean, name, host });
  }
  return moved;
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#]/)[0] ?? '';
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
