import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WardenError } from '../errors.ts';
import type { Bind } from '../sandbox/bwrap-args.ts';
import { shellQuote } from './profile.ts';

/** Where the real shells and Node sit inside the sandbox, out of the way of PATH. */
const PRIVATE_DIR = '/run/warden';
const SHIM_SCRIPT = fileURLToPath(new URL('./shell-shim.ts', import.meta.url));
const SHELL_NAMES = ['sh', 'bash'] as const;
const SHELL_DIRS = ['/bin', '/usr/bin'];

export interface ShellShimMounts {
  /** Entry scripts over the shells, the real shells and Node at private paths. */
  binds: Bind[];
  /** Host paths at the same place: the shim itself. */
  readOnly: string[];
}

/**
 * Puts Warden's shim in front of `sh` and `bash` inside the sandbox. Each shell binary (by its
 * real path, so /bin/sh → dash covers dash too) is covered by a small entry script that runs the
 * real shell directly inside a command already judged, and shell-shim.ts otherwise. The real
 * binaries stay reachable at /run/warden/shells/<name> for the shim; a program that knows that
 * path bypasses the shim, as does one that runs programs without a shell: the sandbox, not the
 * shim, is the boundary (see the README).
 */
export function shellShimMounts(options: {
  dir: string;
  socketPath: string;
  nodePath: string;
}): ShellShimMounts {
  const realOf = new Map<string, string>();
  for (const name of SHELL_NAMES) {
    for (const dir of SHELL_DIRS) {
      const path = join(dir, name);
      if (!realOf.has(name) && existsSync(path)) realOf.set(name, realpathSync(path));
    }
  }
  if (!realOf.has('sh')) {
    throw new WardenError('wrap.shell', 'this host has no /bin/sh to put the command shim in front of', {
      hint: 'install a POSIX shell (dash or bash) as /bin/sh',
    });
  }
  const namesOf = new Map<string, string[]>();
  for (const [name, real] of realOf) namesOf.set(real, [...(namesOf.get(real) ?? []), name]);

  const binds: Bind[] = [{ source: realpathSync(options.nodePath), dest: `${PRIVATE_DIR}/bin/node` }];
  for (const [name, real] of realOf) binds.push({ source: real, dest: privateShell(name) });
  for (const [real, names] of namesOf) {
    const entry = join(options.dir, `shim-${basename(real)}`);
    writeFileSync(entry, entryScript(names, options.socketPath), { mode: 0o555 });
    binds.push({ source: entry, dest: real });
  }
  return { binds, readOnly: [realpathSync(SHIM_SCRIPT)] };
}

function privateShell(name: string): string {
  return `${PRIVATE_DIR}/shells/${name}`;
}

/**
 * The script bound over one shell binary. Run by the real `sh`, which reads no startup file when
 * not interactive; `$0` is the path the shell was started by, which tells `sh` from `bash` when
 * one binary is both.
 */
export function entryScript(names: readonly string[], socketPath: string): string {
  const [first = 'sh'] = names;
  const pick = (name: string) => `real=${privateShell(name)} name=${name}`;
  const choose =
    names.length === 1
      ? `${pick(first)}\n`
      : [
          // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
          'case "${0##*/}" in',
          ...names.slice(1).map((name) => `  ${name}) ${pick(name)} ;;`),
          `  *) ${pick(first)} ;;`,
          'esac',
          '',
        ].join('\n');
  return [
    `#!${privateShell('sh')}`,
    "# Warden's command shim (src/wrap/shell-shim.ts): a command line is judged by the policy first.",
    choose.trimEnd(),
    `[ -n "\${WARDEN_SHELL_JUDGED-}" ] && exec "$real" "$@"`,
    `exec ${PRIVATE_DIR}/bin/node ${shellQuote(realpathSync(SHIM_SCRIPT))} ${shellQuote(socketPath)} "$real" "$name" "$@"`,
    '',
  ].join('\n');
}
