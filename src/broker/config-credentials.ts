import { WardenError } from '../errors.ts';
import { type CredentialStore, credentialNameForHost } from './credentials.ts';
import { git } from './git.ts';
import { hostOf, type MovedCredential, splitUserinfo } from './remote-credentials.ts';

/**
 * Moves the credentials that sit in `.git/config` outside remote URLs before the agent can read
 * it: `http[.<url>].extraheader` with an `Authorization` header (what `actions/checkout` leaves
 * behind), inline `credential[.<url>].helper` scripts that print a password, and `url.<base>.*`
 * rewrites whose base carries userinfo. Each setting is removed through git's argv (values matched
 * exactly, never as patterns); its token is held by the broker for the host it was for. A setting
 * that cannot be removed stops the session, as a remote URL does.
 */
export async function moveConfigCredentials(
  root: string,
  store: CredentialStore,
): Promise<MovedCredential[]> {
  const entries = await configEntries(root, '^(http\\..*|credential\\..*|url\\..*)$');
  if (entries.length === 0) return [];
  const fallbackHost = await originHost(root);
  const moved: MovedCredential[] = [];
  const rewrites = new Map<string, Array<{ name: string; value: string }>>();
  for (const { key, value } of entries) {
    const { section, subsection, name } = splitKey(key);
    if (section === 'http' && name === 'extraheader') {
      const found = authorization(value);
      if (!found) continue;
      await unset(root, key, value);
      const host = subsection === undefined ? fallbackHost : hostOf(subsection);
      hold(store, host, found, key);
      moved.push({ key, url: '', name: nameFor(host), host, rule: 'credential-in-http-header' });
    } else if (section === 'credential' && name === 'helper') {
      const found = inlineHelper(value);
      if (!found) continue;
      await unset(root, key, value);
      const host = subsection === undefined ? fallbackHost : hostOf(subsection);
      hold(store, host, found, key);
      moved.push({ key, url: '', name: nameFor(host), host, rule: 'credential-in-helper' });
    } else if (section === 'url' && subsection !== undefined && splitUserinfo(subsection)) {
      const list = rewrites.get(subsection) ?? [];
      list.push({ name, value });
      rewrites.set(subsection, list);
    }
  }
  for (const [base, settings] of rewrites) moved.push(await moveRewrite(root, store, base, settings));
  return moved;
}

/**
 * A `url.<base>.insteadOf` whose base holds the token: the whole section goes (unsetting a key
 * leaves the section header, and the token is in the header), and its settings come back under the
 * base without userinfo, so rewriting still works and the broker's credential fills in.
 */
async function moveRewrite(
  root: string,
  store: CredentialStore,
  base: string,
  settings: Array<{ name: string; value: string }>,
): Promise<MovedCredential> {
  const split = splitUserinfo(base);
  if (!split) throw new Error('unreachable: only bases with userinfo are rewritten');
  const key = `url.${base}`;
  await run(root, key, ['config', '--local', '--remove-section', key]);
  for (const { name, value } of settings)
    await run(root, key, ['config', '--local', '--add', `url.${split.clean}.${name}`, value]);
  const host = hostOf(split.clean);
  hold(store, host, { username: split.username, password: split.password }, key);
  return {
    key: `url.${split.clean}`,
    url: split.clean,
    name: nameFor(host),
    host,
    rule: 'credential-in-url-rewrite',
  };
}

interface Found {
  username: string;
  password: string;
}

/**
 * `AUTHORIZATION: basic <base64 of user:token>`, `Authorization: Bearer <token>` or
 * `Authorization: token <token>`, in any case.
 */
export function authorization(header: string): Found | undefined {
  const match = /^\s*authorization\s*:\s*(basic|bearer|token)\s+(\S+)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, scheme = '', value = ''] = match;
  if (scheme.toLowerCase() !== 'basic') return { username: 'x-access-token', password: value };
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // Not `user:token` once decoded: the value itself is what must not be read.
  if (
    colon < 0 ||
    Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') !== value.replace(/=+$/, '')
  )
    return { username: 'x-access-token', password: value };
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** `!f() { echo username=u; echo password=<token>; }; f`: a shell helper with the password in it. */
export function inlineHelper(helper: string): Found | undefined {
  if (!helper.trimStart().startsWith('!')) return undefined;
  const password = /password=["']?([^\s"';\\]+)/.exec(helper)?.[1];
  // `password=$TOKEN` reads the environment, which the sandbox does not pass on: no secret here.
  if (!password || password.startsWith('$')) return undefined;
  const username = /username=["']?([^\s"';\\]+)/.exec(helper)?.[1] ?? 'x-access-token';
  return { username, password };
}

function hold(store: CredentialStore, host: string, found: Found, key: string): void {
  store.add({
    name: nameFor(host),
    host: host.toLowerCase(),
    username: found.username,
    password: found.password,
    origin: `${key} in .git/config`,
  });
}

/** With no host to bind it to, the token is held for none: redacted, never sent. */
function nameFor(host: string): string {
  return host === '' ? 'git-config-header' : credentialNameForHost(host);
}

async function unset(root: string, key: string, value: string): Promise<void> {
  await run(root, key, ['config', '--local', '--fixed-value', '--unset-all', key, value]);
}

async function run(root: string, key: string, args: string[]): Promise<void> {
  const result = await git(root, args);
  if (result.code === 0) return;
  throw new WardenError(
    'repo.credential',
    `${key} carries a credential and Warden could not move it out of .git/config: ${result.stderr.trim()}`,
    {
      where: root,
      hint: 'remove it yourself (git config --unset) and give Warden the token under "credentials:" in your user config',
    },
  );
}

async function configEntries(root: string, pattern: string): Promise<Array<{ key: string; value: string }>> {
  const found = await git(root, ['config', '--local', '-z', '--get-regexp', pattern]);
  if (found.code !== 0) return [];
  return found.stdout
    .split('\0')
    .filter((entry) => entry.includes('\n'))
    .map((entry) => {
      const newline = entry.indexOf('\n');
      return { key: entry.slice(0, newline), value: entry.slice(newline + 1) };
    });
}

/** `section.sub.section.name`: the subsection is everything between the first and the last dot. */
function splitKey(key: string): { section: string; subsection?: string; name: string } {
  const first = key.indexOf('.');
  const last = key.lastIndexOf('.');
  const section = key.slice(0, first).toLowerCase();
  const name = key.slice(last + 1).toLowerCase();
  return first === last ? { section, name } : { section, subsection: key.slice(first + 1, last), name };
}

/** The host of `origin` (already without its credential), for settings that name no URL. */
async function originHost(root: string): Promise<string> {
  const url = await git(root, ['config', '--local', '--get', 'remote.origin.url']);
  if (url.code !== 0) return '';
  const value = url.stdout.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return hostOf(value);
  // scp-like `git@github.com:owner/repo.git`
  return /^(?:[^@/:]+@)?([^/:]+):/.exec(value)?.[1] ?? '';
}
