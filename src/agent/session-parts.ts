import { lstatSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { WardenError } from '../errors.ts';
import { likeMatcher } from '../policy/like.ts';
import type { Policy } from '../policy/types.ts';
import { createBwrapSandbox } from '../sandbox/bwrap.ts';
import { detectSandbox } from '../sandbox/detect.ts';
import { type NetRecord, startEgressProxy } from '../sandbox/egress-proxy.ts';
import type { SandboxLimits } from '../sandbox/limits.ts';
import type { Sandbox } from '../sandbox/types.ts';
import { createWorkspace } from '../sandbox/workspace.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';
import { SessionStore } from '../store/session-store.ts';

/** The egress proxy of one session: its records go to whoever listens. */
export interface SessionNetwork {
  listen(onRecord: (record: NetRecord) => void): void;
  /** Awaited before an allowed request is made; a rejection refuses it. */
  beforeConnect(hook: (intent: NetIntent) => Promise<void>): void;
}

export interface NetIntent {
  host: string;
  port: number;
  method: string;
}

export interface SessionParts<Store = SessionStore> {
  sandbox: Sandbox;
  workspace: Workspace;
  store: Store;
  network: SessionNetwork | undefined;
  /** The egress proxy's unix socket, when the policy allows any host (`warden wrap` bridges it in). */
  proxySocket: string | undefined;
  /** Workspace-relative files the sandbox hides from every command from now on, as if denied. */
  mask(paths: Iterable<string>): void;
  /** Stops the proxy and removes its socket; the store is closed by its user. */
  close(): Promise<void>;
}

/**
 * Paths inside the workspace that commands may read but never change: git's metadata (hooks,
 * config and fsmonitor settings would run code on the host the next time anyone runs git there)
 * and Warden's own session records.
 */
const PROTECTED = ['.git', '.warden'];

/**
 * The sandbox, file boundary, store and egress proxy for a repository, set up as the policy says.
 * The sandbox is checked before anything else happens, so a machine without working bubblewrap
 * fails with the fix, not halfway through; a limit the host cannot enforce fails the same way.
 */
export async function openSessionParts<Store = SessionStore>(
  root: string,
  policy: Policy,
  options: { store?: Store } = {},
): Promise<SessionParts<Store>> {
  refuseHomeDirectory(root);
  await detectSandbox();
  for (const name of PROTECTED) refuseLink(join(root, name));
  // The store first: its directory must exist before the sandbox is told to mount it read-only. A
  // host with a store of its own (the server's, outside every repository) passes it in; the
  // directory is made all the same, so the agent cannot plant one for a later `warden exec` there.
  if (options.store) mkdirSync(join(root, '.warden'), { recursive: true });
  const store = options.store ?? (SessionStore.open(join(root, '.warden')) as Store);
  const network = policy.network.allow.length > 0 ? await startNetwork(policy.network.allow) : undefined;
  const denied = likeMatcher(policy.deniedPaths);
  const masked = new Set<string>();
  try {
    const sandbox = createBwrapSandbox({
      workspace: root,
      extraReadOnly: PROTECTED.map((name) => join(root, name)).filter((path) =>
        lstatSync(path, { throwIfNoEntry: false }),
      ),
      limits: sandboxLimits(policy),
      hidden: (path) => denied(path) || masked.has(path),
      installScripts: policy.dependencies?.installScripts === true,
      ...(network ? { network: { proxySocket: network.socket } } : {}),
    });
    return {
      sandbox,
      workspace: await createWorkspace(root),
      store,
      network: network?.session,
      proxySocket: network?.socket,
      mask(paths) {
        for (const path of paths) masked.add(path);
      },
      close: async () => network?.close(),
    };
  } catch (error) {
    if (!options.store) (store as SessionStore).close();
    await network?.close();
    throw error;
  }
}

/** The policy's limits on each command's process tree, as the sandbox takes them. */
export function sandboxLimits(policy: Policy): SandboxLimits {
  const { memoryBytes, processes, fileSizeBytes, cpuSeconds, diskBytes } = policy.limits;
  return {
    ...(diskBytes === undefined ? {} : { diskBytes }),
    ...(memoryBytes === undefined ? {} : { memoryBytes }),
    ...(processes === undefined ? {} : { processes }),
    ...(fileSizeBytes === undefined ? {} : { fileSizeBytes }),
    ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
  };
}

async function startNetwork(allow: string[]) {
  // A private directory: only Warden's user can reach the socket, and the sandbox sees it read-only.
  const dir = await mkdtemp(join(tmpdir(), 'warden-net-'));
  const socket = join(dir, 'proxy.sock');
  let listener: ((record: NetRecord) => void) | undefined;
  let connectHook: ((intent: NetIntent) => Promise<void>) | undefined;
  const proxy = await startEgressProxy({
    socketPath: socket,
    allow,
    onRequest: (record) => listener?.(record),
    beforeConnect: async (intent) => connectHook?.(intent),
  });
  return {
    socket,
    session: {
      listen(onRecord: (record: NetRecord) => void) {
        listener = onRecord;
      },
      beforeConnect(hook: (intent: NetIntent) => Promise<void>) {
        connectHook = hook;
      },
    },
    async close() {
      await proxy.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A repository could ship `.git` or `.warden` as a link to ~/.ssh: never follow one out. */
function refuseLink(path: string): void {
  if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw new WardenError('repo.unsafe', `${path} is a symbolic link`, {
      hint: 'Warden does not follow .git or .warden elsewhere; replace the link with a real directory',
    });
  }
}

/** The workspace is writable by the agent: a home directory would hand it ~/.ssh and ~/.aws. */
function refuseHomeDirectory(root: string): void {
  const home = homedir();
  const homeInside = !relative(root, home).startsWith('..');
  if (homeInside) {
    throw new WardenError('repo.unsafe', `${root} contains your home directory (${home})`, {
      hint: 'run Warden in a project directory, or pass one with --repo DIR',
    });
  }
}
