import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { WardenError } from '../errors.ts';
import type { BwrapFeatures, HostLayout } from './bwrap-args.ts';
import { isolationArgs, systemMountArgs } from './bwrap-args.ts';
import { probeHostLayout } from './host-layout.ts';

/** A bubblewrap that was seen to create the sandbox's namespaces on this machine. */
export interface BwrapInfo {
  /** Absolute path of the binary. */
  path: string;
  /** As printed by `bwrap --version`, e.g. `bubblewrap 0.8.0`. */
  version: string;
  features: BwrapFeatures;
  layout: HostLayout;
}

export interface DetectOptions {
  /** A path, or a name looked up on PATH; default `bwrap`. */
  bwrapPath?: string;
  /** Defaults to probing this host. */
  layout?: HostLayout;
  /** PATH to look a bare name up on; default Warden's own. */
  searchPath?: string;
}

const INSTALL_HINT =
  'install bubblewrap: `apt-get install bubblewrap` (Debian/Ubuntu) or `dnf install bubblewrap` (Fedora), ' +
  'or point bwrapPath at the binary';
const USERNS_HINT =
  'enable unprivileged user namespaces: `sysctl -w kernel.unprivileged_userns_clone=1` (Debian), ' +
  '`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu 23.10+), and ' +
  '`sysctl -w user.max_user_namespaces=15000` if it is 0; in a container, allow user namespaces ' +
  '(e.g. Docker `--security-opt seccomp=unconfined --security-opt apparmor=unconfined`)';

const PROBE_TIMEOUT_MS = 10_000;

/**
 * Checks, by doing it, that bubblewrap can build this sandbox here: the binary runs, and `true`
 * runs inside the same namespaces, identity and system mounts every command gets. Throws
 * `sandbox.unavailable` with the fix otherwise; there is no unsandboxed fallback.
 */
export async function detectSandbox(options: DetectOptions = {}): Promise<BwrapInfo> {
  const requested = options.bwrapPath ?? 'bwrap';
  const found = await resolveExecutable(requested, options.searchPath ?? process.env.PATH ?? '');
  if (found === undefined) {
    throw unavailable(`bubblewrap (${requested}) was not found or is not executable`, INSTALL_HINT);
  }
  const version = await runQuiet(found, ['--version']);
  if (version.error !== undefined) {
    throw unavailable(`bubblewrap at ${found} could not be run: ${version.error}`, INSTALL_HINT);
  }
  // bwrap prints its usage to stderr or stdout depending on the version.
  const help = await runQuiet(found, ['--help']);
  const usage = `${help.stdout}\n${help.stderr}`;
  const features: BwrapFeatures = {
    disableUserns: usage.includes('--disable-userns'),
    tmpfsSize: usage.includes('--size'),
  };
  const layout = options.layout ?? (await probeHostLayout());
  const probe = await runQuiet(found, [
    ...isolationArgs(features),
    ...systemMountArgs(layout),
    '--setenv',
    'PATH',
    '/usr/bin:/bin',
    '--',
    'true',
  ]);
  if (probe.error !== undefined) {
    const said = probe.stderr.trim() || probe.error;
    throw unavailable(`bubblewrap cannot create the sandbox's namespaces here: ${said}`, USERNS_HINT);
  }
  return { path: found, version: version.stdout.trim(), features, layout };
}

function unavailable(message: string, hint: string): WardenError {
  return new WardenError('sandbox.unavailable', message, { where: 'sandbox', hint });
}

/** A bare name is looked up on `searchPath`; anything with a slash is taken as a path. */
async function resolveExecutable(name: string, searchPath: string): Promise<string | undefined> {
  const candidates = name.includes('/')
    ? [path.resolve(name)]
    : searchPath
        .split(':')
        .filter((dir) => path.isAbsolute(dir))
        .map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    const ok = await access(candidate, constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return candidate;
  }
  return undefined;
}

interface QuietRun {
  stdout: string;
  stderr: string;
  /** Why the run failed, when it did: a spawn error, an exit code, a signal or the timeout. */
  error: string | undefined;
}

/** bwrap gets an empty environment, as it does for commands (see run-process.ts). */
function runQuiet(file: string, args: string[]): Promise<QuietRun> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: {}, timeout: PROBE_TIMEOUT_MS, killSignal: 'SIGKILL', encoding: 'utf8' },
      (error, stdout, stderr) => {
        let reason: string | undefined;
        if (error) {
          const { code, signal } = error as NodeJS.ErrnoException & { signal?: string | null };
          reason = signal ? `killed by ${signal}` : code !== undefined ? `exit ${code}` : error.message;
        }
        resolve({ stdout, stderr, error: reason });
      },
    );
  });
}
