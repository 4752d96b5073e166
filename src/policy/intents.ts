import type { PolicyAction } from './types.ts';

/**
 * What a simple command means beyond running it: `npm install left-pad` adds a dependency,
 * `git push origin feature` pushes a branch. These become actions of their own, so `dependencies:`
 * and `git.push:` in the policy hold however the agent spells the act. Words are as the shell
 * analysis printed them (quotes removed).
 */
export function intentsOf(command: string): PolicyAction[] {
  const words = command.split(/\s+/).filter(Boolean);
  const [name = '', sub = '', ...rest] = words;
  const tool = name.split('/').at(-1) ?? name;
  // pip's options hold for pip3, `uv pip` and `python -m pip` alike.
  const family = ['pip3', 'uv', 'python', 'python3'].includes(tool) ? 'pip' : tool;
  const packages = (ecosystem: string, args: string[], clean: (arg: string) => string): PolicyAction[] =>
    operands(family, args).map((arg) => ({ kind: 'dependency.add', ecosystem, name: clean(arg) }));

  switch (tool) {
    case 'npm':
      if (['install', 'i', 'add', 'isntall', 'in'].includes(sub)) return packages('npm', rest, npmName);
      return [];
    case 'pnpm':
    case 'yarn':
    case 'bun':
      if (
        sub === 'add' ||
        (tool === 'pnpm' && ['install', 'i'].includes(sub) && operands(family, rest).length > 0)
      )
        return packages('npm', rest, npmName);
      return [];
    case 'pip':
    case 'pip3':
      return sub === 'install' ? packages('pypi', rest, pypiName) : [];
    case 'uv':
      if (sub === 'add') return packages('pypi', rest, pypiName);
      // `uv pip install x` is pip's own command line.
      return sub === 'pip' && rest[0] === 'install' ? packages('pypi', rest.slice(1), pypiName) : [];
    case 'python':
    case 'python3':
      // `python -m pip install x`
      return sub === '-m' && /^pip3?$/.test(rest[0] ?? '') && rest[1] === 'install'
        ? packages('pypi', rest.slice(2), pypiName)
        : [];
    case 'cargo':
      return sub === 'add' || sub === 'install'
        ? packages('crates', cargoSources(rest), (arg) =>
            arg.includes('://') ? arg : (arg.split('@')[0] ?? arg),
          )
        : [];
    case 'go':
      return sub === 'get' || sub === 'install'
        ? packages('go', rest, (arg) => arg.split('@')[0] ?? arg)
        : [];
    case 'git':
      return gitPush(words.slice(1));
    default:
      return [];
  }
}

/**
 * Options whose value is not a package: a workspace, a directory, a feature list. Their values are
 * skipped, or a `pnpm add x --filter app` would look up a package named `app`. Options that name
 * a package source (`--registry`, `--index-url`, `--git`) keep their value, which is then judged as
 * a dependency from outside the registry.
 */
const VALUE_OPTIONS: Record<string, readonly string[]> = {
  npm: ['-w', '--workspace', '--prefix', '--omit', '--include', '--tag', '--install-strategy'],
  // pnpm's `-w` is `--workspace-root`, a switch.
  pnpm: ['-F', '--filter', '-C', '--dir', '--reporter'],
  yarn: ['--cwd'],
  bun: ['--cwd', '--backend'],
  pip: [
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
    '--report',
    '--progress-bar',
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
  ],
  cargo: [
    '-F',
    '--features',
    '--rename',
    '-p',
    '--package',
    '--target',
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
  ],
  go: ['-modfile', '-C', '-tags'],
};

function operands(tool: string, args: string[]): string[] {
  const skip = VALUE_OPTIONS[tool] ?? [];
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (skip.includes(arg)) i += 1;
    else if (!arg.startsWith('-')) out.push(arg);
  }
  return out;
}

/** `--registry x` and `--index x` install from elsewhere: named as a source, judged as one. */
function cargoSources(args: string[]): string[] {
  return args.map((arg, i) =>
    ['--registry', '--index'].includes(args[i - 1] ?? '') ? `registry:${arg}` : arg,
  );
}

/** What a push of every branch (or tag) is called: only a `push: ["*"]` grants it. */
export const ALL_BRANCHES = '*all*';

/** `git [-C dir] push [opts] [remote] [refspec…]`: one action per destination branch. */
function gitPush(args: string[]): PolicyAction[] {
  const at = args.indexOf('push');
  if (at < 0) return [];
  const flags = args.slice(at + 1).filter((arg) => arg.startsWith('-'));
  const [, ...refspecs] = args.slice(at + 1).filter((arg) => !arg.startsWith('-'));
  // A short-flag group with f in it (`-uf`, `-qf`) forces as surely as `-f`.
  const forced = flags.some(
    (flag) => /^-[A-Za-z]*f[A-Za-z]*$/.test(flag) || flag.startsWith('--force') || flag === '--mirror',
  );
  // These push refs the command line does not name; so may config given with `-c` (a mirror
  // remote, `push.default=matching`, a remote's push refspecs).
  const config = args.slice(0, at).filter((arg, i, all) => all[i - 1] === '-c' || arg.startsWith('-c'));
  const everything =
    flags.some((flag) => ['--all', '--branches', '--tags', '--mirror'].includes(flag)) ||
    config.some((value) => /mirror|push/i.test(value));
  if (everything) return [{ kind: 'git.push', branch: ALL_BRANCHES, force: forced }];
  // No refspec pushes the current branch, which the policy cannot see from here: it must say `*`.
  if (refspecs.length === 0) return [{ kind: 'git.push', branch: 'HEAD', force: forced }];
  return refspecs.map((spec) => {
    const force = forced || spec.startsWith('+');
    const destination = spec.replace(/^\+/, '').split(':').at(-1) ?? spec;
    return { kind: 'git.push', branch: destination.replace(/^refs\/heads\//, ''), force };
  });
}

function npmName(arg: string): string {
  // `x@npm:real@1` installs `real`; `x@github:u/r` and `x@https://…` install what the URL names.
  const alias = arg.indexOf('@npm:', 1);
  if (alias > 0) return npmName(arg.slice(alias + 5));
  // `@scope/pkg@1.2.3` and `pkg@latest`: the version follows the last `@` that is not the first character.
  const at = arg.indexOf('@', 1);
  if (at < 0) return arg;
  const spec = arg.slice(at + 1);
  return /[:/]/.test(spec) ? spec : arg.slice(0, at);
}

function pypiName(arg: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg) || arg.startsWith('git+')) return arg;
  return arg.split(/[=<>!~;[ @]/)[0] ?? arg;
}
