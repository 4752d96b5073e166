import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Control groups for one command's process tree: the only kernel mechanism that caps a tree's
 * process count and memory (RLIMIT_NPROC counts per uid, and the sandbox's uid is the host's).
 * Each command gets `warden/<random>` below Warden's own cgroup, so limits an outer manager put
 * on Warden still hold; cgroup v1 (a hierarchy per controller) and v2 (one tree) both work.
 */

export type CgroupController = 'pids' | 'memory';

/** Where one controller's cgroups are made: Warden's own cgroup in the hierarchy holding it. */
export interface CgroupBase {
  version: 1 | 2;
  /** Absolute directory of Warden's own cgroup; per-command cgroups go under `<dir>/warden`. */
  dir: string;
}

export interface CgroupMount {
  /** The directory of the hierarchy mounted here (the `root` field of mountinfo). */
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

/** /proc/self/mountinfo, cgroup mounts only. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const fields = left.split(' ');
    const [fsType = '', , superOptions = ''] = right.split(' ');
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    mounts.push({
      root: unescapeMountPath(fields[3] ?? '/'),
      mountPoint: unescapeMountPath(fields[4] ?? ''),
      fsType,
      superOptions: superOptions.split(','),
    });
  }
  return mounts;
}

/** /proc/self/cgroup: the v2 path (`0::/x`) and each v1 controller's path (`4:memory:/x`). */
export function parseProcCgroup(text: string): { v2: string | undefined; v1: Map<string, string> } {
  let v2: string | undefined;
  const v1 = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = line.match(/^(\d+):([^:]*):(.*)$/);
    if (match === null) continue;
    const [, id, controllers = '', where = '/'] = match;
    if (id === '0' && controllers === '') v2 = where;
    else for (const c of controllers.split(',')) v1.set(c, where);
  }
  return { v2, v1 };
}

/**
 * The candidate base per controller: the v1 hierarchy mounted with it, else the v2 tree (whose
 * `cgroup.controllers` the caller still has to check). A controller lives in one hierarchy only.
 */
export function cgroupCandidates(
  mounts: readonly CgroupMount[],
  own: { v2: string | undefined; v1: Map<string, string> },
): Partial<Record<CgroupController, CgroupBase>> {
  const found: Partial<Record<CgroupController, CgroupBase>> = {};
  for (const controller of ['pids', 'memory'] as const) {
    const v1 = mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes(controller));
    const ownV1 = own.v1.get(controller);
    if (v1 !== undefined && ownV1 !== undefined) {
      found[controller] = { version: 1, dir: inMount(v1, ownV1) };
      continue;
    }
    const v2 = mounts.find((m) => m.fsType === 'cgroup2');
    if (v2 !== undefined && own.v2 !== undefined)
      found[controller] = { version: 2, dir: inMount(v2, own.v2) };
  }
  return found;
}

/** A path from /proc/self/cgroup as a directory under the mount that shows it. */
function inMount(mount: CgroupMount, cgroupPath: string): string {
  const rel = path.posix.relative(mount.root, cgroupPath);
  return rel.startsWith('..') ? mount.mountPoint : path.join(mount.mountPoint, rel);
}

function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/**
 * Finds and prepares (creates `warden/`, enables v2 controllers) a writable base for each
 * controller. A controller absent from the result cannot be enforced; `reasons` says why.
 */
export function probeCgroups(): {
  bases: Partial<Record<CgroupController, CgroupBase>>;
  reasons: Partial<Record<CgroupController, string>>;
} {
  const bases: Partial<Record<CgroupController, CgroupBase>> = {};
  const reasons: Partial<Record<CgroupController, string>> = {};
  let candidates: Partial<Record<CgroupController, CgroupBase>>;
  try {
    candidates = cgroupCandidates(
      parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8')),
      parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8')),
    );
  } catch (error) {
    const why = `cgroups could not be read: ${(error as Error).message}`;
    return { bases, reasons: { pids: why, memory: why } };
  }
  for (const controller of ['pids', 'memory'] as const) {
    const base = candidates[controller];
    if (base === undefined) {
      reasons[controller] = `no cgroup hierarchy with the ${controller} controller is mounted`;
      continue;
    }
    try {
      prepareBase(base, controller);
      bases[controller] = base;
    } catch (error) {
      reasons[controller] =
        `cannot create ${controller} cgroups under ${base.dir}: ${(error as Error).message}`;
    }
  }
  return { bases, reasons };
}

function prepareBase(base: CgroupBase, controller: CgroupController): void {
  const warden = path.join(base.dir, 'warden');
  if (base.version === 2) {
    const available = readFileSync(path.join(base.dir, 'cgroup.controllers'), 'utf8').split(/\s+/);
    if (!available.includes(controller)) throw new Error(`the ${controller} controller is not enabled here`);
    // v2 hands a controller to children only when the parent lists it in subtree_control; a
    // non-root cgroup that holds processes refuses (EBUSY), and then we cannot help it.
    enableController(base.dir, controller);
    mkdirSync(warden, { recursive: true });
    enableController(warden, controller);
  } else {
    mkdirSync(warden, { recursive: true });
  }
}

function enableController(dir: string, controller: CgroupController): void {
  const file = path.join(dir, 'cgroup.subtree_control');
  if (readFileSync(file, 'utf8').split(/\s+/).includes(controller)) return;
  writeFileSync(file, `+${controller}`);
}

/** One command's cgroup(s), from creation to removal. */
export interface CommandCgroup {
  /** The cgroup.procs files the launcher writes the bwrap pid into before it execs bwrap. */
  procsFiles: string[];
  /** Kills whatever is left and removes the directories; never throws. */
  release(): Promise<void>;
}

export interface CgroupLimits {
  /** pids.max: every process and thread of the tree. */
  pids?: number;
  memoryBytes?: number;
}

/** Creates `warden/<random>` in each needed hierarchy with its limits written. */
export function createCommandCgroup(
  bases: Partial<Record<CgroupController, CgroupBase>>,
  limits: CgroupLimits,
): CommandCgroup {
  const name = randomBytes(8).toString('hex');
  const dirs = new Map<string, CgroupBase>();
  const dirOf = (base: CgroupBase): string => {
    const dir = path.join(base.dir, 'warden', name);
    if (!dirs.has(dir)) {
      mkdirSync(dir);
      dirs.set(dir, base);
    }
    return dir;
  };
  const cgroup: CommandCgroup = {
    procsFiles: [],
    release: () => removeAll([...dirs.entries()]),
  };
  try {
    if (limits.pids !== undefined) {
      const base = need(bases, 'pids');
      writeFileSync(path.join(dirOf(base), 'pids.max'), String(limits.pids));
    }
    if (limits.memoryBytes !== undefined) {
      const base = need(bases, 'memory');
      const dir = dirOf(base);
      const bytes = String(limits.memoryBytes);
      if (base.version === 2) {
        writeFileSync(path.join(dir, 'memory.max'), bytes);
        // Swap would let the tree hold more than the limit, only slower.
        writeIfPresent(path.join(dir, 'memory.swap.max'), '0');
      } else {
        writeFileSync(path.join(dir, 'memory.limit_in_bytes'), bytes);
        writeIfPresent(path.join(dir, 'memory.memsw.limit_in_bytes'), bytes);
      }
    }
  } catch (error) {
    void cgroup.release();
    throw error;
  }
  cgroup.procsFiles = [...dirs.keys()].map((dir) => path.join(dir, 'cgroup.procs'));
  return cgroup;
}

function need(
  bases: Partial<Record<CgroupController, CgroupBase>>,
  controller: CgroupController,
): CgroupBase {
  const base = bases[controller];
  if (base === undefined) throw new Error(`no ${controller} cgroup hierarchy`);
  return base;
}

function writeIfPresent(file: string, value: string): void {
  if (existsSync(file)) writeFileSync(file, value);
}

const RELEASE_TIMEOUT_MS = 3000;

async function removeAll(dirs: [string, CgroupBase][]): Promise<void> {
  const deadline = Date.now() + RELEASE_TIMEOUT_MS;
  for (const [dir] of dirs) {
    // Normally empty already: bwrap's pid namespace dies with it. This covers anything that
    // escaped the namespace teardown, and v2's cgroup.kill does it without a pid-reuse race.
    const killFile = path.join(dir, 'cgroup.kill');
    while (Date.now() < deadline) {
      const pids = readPids(dir);
      if (pids.length === 0 && tryRmdir(dir)) break;
      if (existsSync(killFile)) writeIfPresent(killFile, '1');
      else for (const pid of pids) killQuietly(pid);
      await sleep(20);
    }
  }
}

function readPids(dir: string): number[] {
  try {
    return readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function tryRmdir(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
