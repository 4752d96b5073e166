/**
 * The command lines of package tools, as far as the dependency intents need them: which options
 * take a value (so the value is not read as a subcommand or a package), which name packages, and
 * which name where packages come from. Global options and the subcommand's share one table:
 * `npm --silent install x` and `npm install --silent x` are read alike.
 */
export interface ToolSyntax {
  /** Options whose value is neither a package nor a source: a workspace, a directory, a level. */
  values: readonly string[];
  /** Options whose value is a package to fetch (`npx -p x`, `uvx --with x`). */
  packages: readonly string[];
  /** Options naming a registry, index or repository: what they fetch is from outside the registry. */
  sources: readonly string[];
}

const NPM_VALUES = [
  '-w',
  '--workspace',
  '--prefix',
  '-C',
  '--dir',
  '--cwd',
  '--cache',
  '--userconfig',
  '--globalconfig',
  '--loglevel',
  '--reporter',
  '--omit',
  '--include',
  '--tag',
  '--otp',
  '--install-strategy',
  '--before',
  '--node-options',
  '--script-shell',
  '--location',
  '--scope',
  '--fetch-retries',
  '--fetch-timeout',
  '--cafile',
  '--proxy',
  '--https-proxy',
  '--backend',
  '-F',
  '--filter',
  // The command an exec runner runs, not a package.
  '-c',
  '--call',
  '--shell',
];

const PIP_VALUES = [
  '-r',
  '--requirement',
  '-c',
  '--constraint',
  '-t',
  '--target',
  '--prefix',
  '--root',
  '--src',
  '--python-version',
  '--platform',
  '--implementation',
  '--abi',
  '--cache-dir',
  '--log',
  '--log-file',
  '--report',
  '--progress-bar',
  '--proxy',
  '--cert',
  '--client-cert',
  '--timeout',
  '--retries',
  '--exists-action',
  '--trusted-host',
  '--use-feature',
  '--use-deprecated',
  '--keyring-provider',
  '--upgrade-strategy',
  '--no-binary',
  '--only-binary',
  '-p',
  '--python',
  '--group',
  '--optional',
  '--extra',
  '--package',
  '--directory',
  '--project',
  '--branch',
  '--tag',
  '--rev',
  '--config-file',
  '--color',
  '--resolution',
  '--prerelease',
  '--exclude-newer',
  '--index-strategy',
  '--python-platform',
  '--with-requirements',
  '--spec-metadata',
  '-G',
  '-E',
  '--extras',
  '-C',
  '-P',
  '-L',
  '--lockfile',
  '--suffix',
  '--pip-args',
];

const PIP_SOURCES = [
  '-i',
  '--index-url',
  '--extra-index-url',
  '-f',
  '--find-links',
  '--index',
  '--default-index',
  '--source',
  '--pypi-mirror',
];

export const SYNTAX: Record<'npm' | 'node' | 'pip' | 'cargo' | 'go', ToolSyntax> = {
  npm: { values: NPM_VALUES, packages: ['-p', '--package'], sources: ['--registry'] },
  // pnpm's `-w` is `--workspace-root`, a switch; yarn and bun have no `-w` of their own.
  node: {
    values: NPM_VALUES.filter((v) => v !== '-w'),
    packages: ['-p', '--package'],
    sources: ['--registry'],
  },
  pip: {
    values: PIP_VALUES,
    // `-e git+https://…` installs from a repository: read as a package, judged as a source.
    packages: ['--with', '--from', '--spec', '-e', '--editable'],
    sources: PIP_SOURCES,
  },
  cargo: {
    values: [
      '-F',
      '--features',
      '--rename',
      '-p',
      '--package',
      '--target',
      '--target-dir',
      '--manifest-path',
      '--lockfile-path',
      '--branch',
      '--tag',
      '--rev',
      '--path',
      '--root',
      '--bin',
      '--example',
      '--profile',
      '-j',
      '--jobs',
      '--color',
      '-Z',
      '-C',
      '--version',
      '--vers',
    ],
    packages: [],
    // `--config` can replace crates.io itself (`source.crates-io.replace-with`).
    sources: ['--registry', '--index', '--git', '--config'],
  },
  go: {
    values: [
      '-modfile',
      '-C',
      '-tags',
      '-mod',
      '-pkgdir',
      '-ldflags',
      '-gcflags',
      '-asmflags',
      '-o',
      '-p',
      '-exec',
      '-overlay',
    ],
    packages: [],
    sources: [],
  },
};

/** What an argument list holds once options are read: plain words, packages and sources named by options. */
export interface ParsedArgs {
  operands: string[];
  packages: string[];
  /** `--registry=https://…` as written, option and value: named so a person sees what was given. */
  sources: string[];
}

/**
 * Reads options and operands; stops after `stopAfter` operands (a runner's program arguments are
 * its own, not the tool's). Any long option that mentions a registry or index is a source too:
 * `--@corp:registry=…`, `--config.registry=…`, `--npm-registry-server …`.
 */
export function parseArgs(args: readonly string[], syntax: ToolSyntax, stopAfter = Infinity): ParsedArgs {
  const parsed: ParsedArgs = { operands: [], packages: [], sources: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      for (const rest of args.slice(i + 1)) {
        if (parsed.operands.length >= stopAfter) break;
        parsed.operands.push(rest);
      }
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.operands.push(arg);
      if (parsed.operands.length >= stopAfter) break;
      continue;
    }
    const eq = arg.indexOf('=');
    const long = arg.startsWith('--');
    const option = eq > 0 ? arg.slice(0, eq) : long ? arg : arg.slice(0, 2);
    const attached = eq > 0 ? arg.slice(eq + 1) : !long && arg.length > 2 ? arg.slice(2) : undefined;
    const isSource =
      syntax.sources.includes(option) || (long && /registry|index-url|find-links/i.test(option));
    const takes = isSource || syntax.packages.includes(option) || syntax.values.includes(option);
    if (!takes) {
      // A long switch given a value (`--save=true`) or a group of short flags.
      continue;
    }
    const value = attached ?? args[++i];
    if (value === undefined) break;
    if (isSource) parsed.sources.push(`${option}=${value}`);
    else if (syntax.packages.includes(option)) parsed.packages.push(...value.split(','));
  }
  return parsed;
}
