import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WardenError } from '../errors.ts';
import { type HostLayout, readOnlyConflict } from './bwrap-args.ts';

/**
 * How a sandbox that may use the network reaches Warden's egress proxy. The sandbox keeps its own
 * empty network namespace; the proxy's unix socket directory is bound in read-only (connect() on
 * a socket needs no write access to its mount, and read-only stops a command from replacing the
 * socket), and proxy-bridge.ts, the sandbox's entry point, offers it on 127.0.0.1:PROXY_PORT.
 */
export interface SandboxNetwork {
  /** Absolute path of the proxy's socket (see egress-proxy.ts); it may appear after the sandbox is made. */
  proxySocket: string;
}

/** Inside the sandbox's own namespace no other service can hold it; 3128 is the proxy convention. */
export const PROXY_PORT = 3128;

const BRIDGE_SCRIPT = fileURLToPath(new URL('./proxy-bridge.ts', import.meta.url));

export interface NetworkMounts {
  /** Host paths to bind read-only at the same place. */
  readOnly: string[];
  /** Proxy variables; they go on top of everything else so a request cannot point them elsewhere. */
  env: Record<string, string>;
  /** The command wrapped in the bridge. */
  command(argv: readonly string[]): string[];
}

/** Proxy variables for curl, pip, npm, git and most HTTP clients (Node's fetch ignores them). */
export function proxyEnv(port: number): Record<string, string> {
  const url = `http://127.0.0.1:${port}`;
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    ALL_PROXY: url,
    all_proxy: url,
    // Empty: even `localhost` must go through the proxy, where the allow list decides.
    NO_PROXY: '',
    no_proxy: '',
  };
}

/** A unix socket of Warden's offered inside the sandbox as a TCP port on 127.0.0.1. */
export interface BridgedSocket {
  /** Absolute path on the host; its directory is bound read-only at the same place. */
  socket: string;
  port: number;
}

export interface BridgeMounts {
  /** Host paths to bind read-only at the same place. */
  readOnly: string[];
  /** The command wrapped in the bridge. */
  command(argv: readonly string[]): string[];
}

/** Resolved on every run: the proxy may start (and its socket appear) after the sandbox is created. */
export function networkMounts(network: SandboxNetwork, nodePath: string, layout: HostLayout): NetworkMounts {
  const bridge = bridgeMounts([{ socket: network.proxySocket, port: PROXY_PORT }], nodePath, layout);
  return { ...bridge, env: proxyEnv(PROXY_PORT) };
}

/** proxy-bridge.ts as the sandbox's entry point, listening for each socket on its port. */
export function bridgeMounts(
  sockets: readonly BridgedSocket[],
  nodePath: string,
  layout: HostLayout,
): BridgeMounts {
  const resolved: BridgedSocket[] = [];
  let bridge: string;
  try {
    bridge = realpathSync(BRIDGE_SCRIPT);
  } catch (cause) {
    throw badConfig(`the bridge script ${BRIDGE_SCRIPT} is not there`, cause);
  }
  for (const { socket: given, port } of sockets) {
    if (!path.isAbsolute(given)) throw badConfig(`a bridged socket must be an absolute path: ${given}`);
    try {
      const socket = path.join(realpathSync(path.dirname(given)), path.basename(given));
      if (!statSync(socket).isSocket()) throw new Error(`${socket} is not a socket`);
      resolved.push({ socket, port });
    } catch (cause) {
      throw badConfig(`the socket ${given} is not there`, cause);
    }
  }
  const readOnly = [...new Set(resolved.map(({ socket }) => path.dirname(socket))), bridge];
  const conflict = readOnly.map((p) => readOnlyConflict(p, layout)).find((c) => c !== undefined);
  if (conflict !== undefined) throw badConfig(conflict);
  const pairs = resolved.flatMap(({ socket, port }) => [socket, String(port)]);
  return {
    readOnly,
    // --no-warnings: the bridge must print nothing of its own; it is not inherited by argv.
    command: (argv) => [nodePath, '--no-warnings', bridge, ...pairs, '--', ...argv],
  };
}

function badConfig(message: string, cause?: unknown): WardenError {
  return new WardenError('sandbox.bad-config', message, {
    where: 'sandbox',
    hint: 'start the egress proxy (startEgressProxy) or the service before running commands that use it',
    ...(cause === undefined ? {} : { cause }),
  });
}
