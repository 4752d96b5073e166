import path from 'node:path';
import type { MaskedPath } from './masked-paths.ts';

/**
 * The bubblewrap command line as a pure function of a plan, so every isolation decision can be
 * read and tested as data. Nothing here touches the host; `host-layout.ts` and `detect.ts` do.
 */

/** The sandbox's user; any fixed unprivileged id works, 1000 is what tools expect of a user. */
export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 1000;
export const SANDBOX_USER = 'warden';
export const SANDBOX_HOSTNAME = 'warden';
export const SANDBOX_HOME = '/home/warden';
export const SANDBOX_TMP = '/tmp';

/** Descriptors bwrap reads its setup from; the runner wires pipes to exactly these numbers. */
export const ARGS_FD = 3;
export const PASSWD_FD = 4;
export const GROUP_FD = 5;
export const HOSTS_FD = 6;
/** The seccomp program (seccomp.ts), read by bwrap's `--seccomp`. */
export const SECCOMP_FD = 7;
export const FIRST_FREE_FD = 8;

/** tmpfs is host memory: cap it so `/tmp` and HOME cannot eat the machine. */
export const TMP_SIZE_BYTES = 1024 * 1024 * 1024;
export const HOME_SIZE_BYTES = 256 * 1024 * 1024;
export const SHM_SIZE_BYTES = 256 * 1024 * 1024;

/** A host path shown at a chosen place inside: a private HOME, a file where a program looks for it. */
export interface Bind {
  source: string;
  dest: string;
  /** Default read-only. */
  writable?: boolean;
}

export type SystemEntry = { path: string; kind: 'dir' } | { path: string; kind: 'symlink'; target: string };

/** What of the host's root the sandbox reproduces. */
export interface HostLayout {
  /** /usr, /bin, /lib… that exist: directories are bound read-only, symlinks recreated. */
  system: SystemEntry[];
  /** Allow-listed /etc entries that exist on this host, bound read-only. */
  etc: string[];
}

/** Options that not every bubblewrap version has. */
export interface BwrapFeatures {
  /** `--disable-userns` (0.8+): no nested user namespaces, which are kernel attack surface. */
  disableUserns: boolean;
  /** `--size` (0.7+) for tmpfs mounts. */
  tmpfsSize: boolean;
}

export interface BwrapPlan {
  layout: HostLayout;
  features: BwrapFeatures;
  /** Real absolute path of the workspace: the only writable bind. */
  workspace: string;
  /** The workspace bound read-only instead (a program that only reads it, an MCP server). */
  workspaceReadOnly?: boolean;
  /** Absolute working directory inside the workspace. */
  cwd: string;
  /** Host paths bound read-only at the same path (the Node binary, operator extras). */
  readOnly: readonly string[];
  /** Paths inside the workspace the command must not see: files become empty, directories empty. */
  masked?: readonly MaskedPath[];
  /** Mounted last, over everything above (a HOME bind replaces the fresh one). */
  binds?: readonly Bind[];
}

/** Namespaces, identity and capabilities: the part shared by the availability probe. */
export function isolationArgs(features: BwrapFeatures): string[] {
  return [
    // --unshare-all only *tries* a user namespace; demand it, or uid/cap handling below is void.
    '--unshare-all',
    '--unshare-user',
    ...(features.disableUserns ? ['--disable-userns'] : []),
    // Run as root, bwrap keeps every capability inside unless told otherwise; with CAP_SYS_ADMIN
    // a command could remount the read-only binds writable. A fixed non-root uid and no caps.
    '--uid',
    String(SANDBOX_UID),
    '--gid',
    String(SANDBOX_GID),
    '--cap-drop',
    'ALL',
    '--hostname',
    SANDBOX_HOSTNAME,
    '--die-with-parent',
    // setsid: no controlling terminal, so no TIOCSTI into the user's shell.
    '--new-session',
  ];
}

/** The read-only system tree, /proc and /dev: enough to exec programs, nothing of the user's. */
export function systemMountArgs(layout: HostLayout): string[] {
  const args: string[] = [];
  for (const entry of layout.system) {
    if (entry.kind === 'dir') args.push('--ro-bind', entry.path, entry.path);
    else args.push('--symlink', entry.target, entry.path);
  }
  // -try: an entry may vanish between probing and running; a missing one is not worth failing for.
  for (const entry of layout.etc) args.push('--ro-bind-try', entry, entry);
  args.push('--proc', '/proc', '--dev', '/dev');
  return args;
}

/** The full argv for bwrap, minus the command (which must follow `--args FD --` on bwrap's own argv). */
export function buildBwrapArgs(plan: BwrapPlan): string[] {
  const workspace = path.resolve(plan.workspace);
  const args = [...isolationArgs(plan.features), ...systemMountArgs(plan.layout)];
  // Users and hosts are synthesized: the host's passwd names its accounts and homes, its hosts
  // file its internal machines. Resolving `localhost` still has to work for local test servers.
  args.push('--ro-bind-data', String(PASSWD_FD), '/etc/passwd');
  args.push('--ro-bind-data', String(GROUP_FD), '/etc/group');
  args.push('--ro-bind-data', String(HOSTS_FD), '/etc/hosts');
  args.push(...tmpfsArgs(plan.features, TMP_SIZE_BYTES, SANDBOX_TMP));
  args.push(...tmpfsArgs(plan.features, HOME_SIZE_BYTES, SANDBOX_HOME));
  // POSIX shared memory (Python multiprocessing, browsers) needs a writable /dev/shm, and /dev
  // itself is about to become read-only.
  args.push(...tmpfsArgs(plan.features, SHM_SIZE_BYTES, '/dev/shm'));
  // A read-only path that holds the workspace must go under it and one inside it over it, or the
  // later mount hides the earlier: /work read-only then /work/repo writable; repo then repo/vendor.
  const inside = plan.readOnly.map((p) => path.resolve(p)).filter((p) => isWithin(p, workspace));
  const outside = plan.readOnly.map((p) => path.resolve(p)).filter((p) => !isWithin(p, workspace));
  for (const p of outside) args.push('--ro-bind', p, p);
  args.push(plan.workspaceReadOnly ? '--ro-bind' : '--bind', workspace, workspace);
  for (const p of inside) args.push('--ro-bind', p, p);
  for (const { path: p, kind } of plan.masked ?? []) {
    if (kind === 'file') args.push('--ro-bind', '/dev/null', p);
    else args.push(...tmpfsArgs(plan.features, 4096, p), '--remount-ro', p);
  }
  for (const bind of plan.binds ?? []) {
    args.push(bind.writable === true ? '--bind' : '--ro-bind', bind.source, bind.dest);
  }
  // bwrap's root and /dev are writable tmpfs: without this `touch /etc/x` would succeed (in
  // memory). Device nodes stay usable; read-only only stops creating files.
  args.push('--remount-ro', '/dev', '--remount-ro', '/');
  args.push('--chdir', plan.cwd);
  return args;
}

function tmpfsArgs(features: BwrapFeatures, size: number, dest: string): string[] {
  return features.tmpfsSize ? ['--size', String(size), '--tmpfs', dest] : ['--tmpfs', dest];
}

/** The environment as NUL-separated `--setenv` args for `--args FD`: values stay off host `ps`. */
export function envArgs(env: Record<string, string>): string[] {
  const args = ['--clearenv'];
  for (const [name, value] of Object.entries(env)) args.push('--setenv', name, value);
  return args;
}

/** bwrap's `--args` format: each argument followed by a NUL. */
export function encodeArgs(args: readonly string[]): string {
  for (const arg of args) {
    if (arg.includes('\0')) throw new Error('a bwrap argument contains a NUL byte');
  }
  return args.map((a) => `${a}\0`).join('');
}

/** Minimal account files: the sandbox user, root and nobody, and no host accounts. */
export function synthesizedEtc(): { passwd: string; group: string; hosts: string } {
  return {
    passwd: [
      'root:x:0:0:root:/root:/usr/sbin/nologin',
      `${SANDBOX_USER}:x:${SANDBOX_UID}:${SANDBOX_GID}:Warden sandbox:${SANDBOX_HOME}:/bin/sh`,
      'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
      '',
    ].join('\n'),
    group: ['root:x:0:', `${SANDBOX_USER}:x:${SANDBOX_GID}:`, 'nogroup:x:65534:', ''].join('\n'),
    hosts: [`127.0.0.1\tlocalhost ${SANDBOX_HOSTNAME}`, '::1\tlocalhost ip6-localhost ip6-loopback', ''].join(
      '\n',
    ),
  };
}

/** True when `child` is `parent` or below it (both absolute, normalized). */
export function isWithin(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Paths the sandbox builds itself; a workspace at or above one of them would replace it. */
export function reservedPaths(layout: HostLayout): string[] {
  return [...layout.system.map((e) => e.path), '/etc', '/proc', '/dev', SANDBOX_TMP, SANDBOX_HOME];
}

/**
 * Why `workspace` cannot be the writable bind, or undefined when it can. `/` would make the
 * whole host writable; `/usr` or `/home` would replace the read-only system or the fresh HOME.
 */
export function workspaceConflict(workspace: string, layout: HostLayout): string | undefined {
  return coverConflict('the workspace', workspace, layout);
}

/** Why a read-only path cannot be bound: one at or above /proc, /tmp or HOME would hide them. */
export function readOnlyConflict(readOnly: string, layout: HostLayout): string | undefined {
  return coverConflict('the read-only path', readOnly, layout);
}

function coverConflict(what: string, target: string, layout: HostLayout): string | undefined {
  const abs = path.resolve(target);
  if (abs === '/') return `${what} cannot be the root directory`;
  const hit = reservedPaths(layout).find((reserved) => isWithin(reserved, abs));
  return hit === undefined ? undefined : `${what} ${abs} would cover ${hit}, which the sandbox provides`;
}
