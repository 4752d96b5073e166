import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { HostLayout, SystemEntry } from './bwrap-args.ts';

/** Where programs and their libraries live. On merged-/usr systems all but /usr are symlinks. */
export const SYSTEM_PATHS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * The /etc entries a command needs and that hold no secret. Everything else in /etc stays out:
 * shadow and gshadow (hashes), ssh (host keys), sudoers, npmrc / pip.conf / wgetrc (registry
 * tokens, proxies), gitconfig (credential helpers, hook paths), hosts / hostname / machine-id
 * (names and fingerprints of the host and its network), resolv.conf (no network anyway).
 * passwd, group and hosts are synthesized instead (see bwrap-args.ts).
 */
export const ETC_ENTRIES = [
  // The dynamic loader finds libraries outside the default directories through these.
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  // Debian points /usr/bin/awk, java, editor… through here.
  '/etc/alternatives',
  // Public CA certificates only: /etc/ssl/private holds keys, and when Warden runs as root the
  // sandbox user maps to the host's root and would own (and so read) them.
  '/etc/ssl/certs',
  '/etc/ssl/openssl.cnf',
  '/etc/ca-certificates',
  '/etc/ca-certificates.conf',
  // Time zone and name-service configuration; account lookups then hit the synthesized files.
  '/etc/localtime',
  '/etc/timezone',
  '/etc/nsswitch.conf',
  '/etc/host.conf',
  '/etc/gai.conf',
  '/etc/protocols',
  '/etc/services',
  // Tools that ask which distribution or file type they are looking at.
  '/etc/os-release',
  '/etc/debian_version',
  '/etc/lsb-release',
  '/etc/mime.types',
  '/etc/magic',
  '/etc/magic.mime',
];

/** Versioned /etc directories runtimes read their own configuration from (JDK security, Python site). */
const ETC_PATTERNS = [/^java-\d+-openjdk$/, /^python3(\.\d+)?$/];

/** Looks at the host once: which system paths exist and whether they are directories or symlinks. */
export async function probeHostLayout(): Promise<HostLayout> {
  const system: SystemEntry[] = [];
  for (const p of SYSTEM_PATHS) {
    const stat = await lstat(p).catch(() => undefined);
    if (stat?.isSymbolicLink()) system.push({ path: p, kind: 'symlink', target: await readlink(p) });
    else if (stat?.isDirectory()) system.push({ path: p, kind: 'dir' });
  }
  const etc: string[] = [];
  for (const p of ETC_ENTRIES) {
    if (await lstat(p).catch(() => undefined)) etc.push(p);
  }
  const names = await readdir('/etc').catch(() => [] as string[]);
  for (const name of names.sort()) {
    if (ETC_PATTERNS.some((re) => re.test(name))) etc.push(path.join('/etc', name));
  }
  return { system, etc };
}
