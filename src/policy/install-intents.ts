import { type ParsedArgs, parseArgs, SYNTAX } from './install-syntax.ts';
import type { PolicyAction } from './types.ts';

type DependencyAdd = Extract<PolicyAction, { kind: 'dependency.add' }>;

/** Every spelling npm takes for install (its own alias list, typos included). */
const NPM_INSTALL = new Set([
  'install',
  'i',
  'in',
  'ins',
  'inst',
  'insta',
  'instal',
  'isnt',
  'isnta',
  'isntal',
  'isntall',
  'add',
  'install-test',
  'it',
]);
/** Subcommands that fetch what a lockfile or manifest names: only a source option is news there. */
const NPM_REFETCH = new Set([
  'ci',
  'clean-install',
  'install-clean',
  'cit',
  'install-ci-test',
  'update',
  'up',
  'upgrade',
]);

/**
 * The packages a command fetches: installs under every alias, and runners that fetch a package to
 * run it (`npx x`, `pnpm dlx x`, `uvx x`, `go run m@v`). A registry, index or repository named by
 * an option is a dependency of its own, named `--registry=…`: not a registry name, so the
 * dependency check asks about it as from outside the registry.
 */
export function dependencyIntents(words: readonly string[]): DependencyAdd[] {
  const [first = '', ...args] = words;
  const tool = first.slice(first.lastIndexOf('/') + 1);
  if (/^python[0-9.]*$/.test(tool)) return python(args);
  if (/^pip[0-9.]*$/.test(tool)) return pip(args);
  switch (tool) {
    case 'npm':
      return npm(args);
    case 'npx':
      return runner(args);
    case 'pnpm':
    case 'yarn':
    case 'bun':
      return nodeTool(tool, args);
    case 'pnpx':
    case 'bunx':
      return runner(args, 0, SYNTAX.node);
    case 'uv':
      return uv(args);
    case 'uvx':
      return pypiRunner(args);
    case 'pipx':
      return pipx(args);
    case 'poetry':
    case 'pdm':
    case 'pipenv':
      return pythonProject(tool, args);
    case 'cargo':
      return cargo(args);
    case 'go':
      return go(args);
    default:
      return [];
  }
}

function add(ecosystem: string, names: readonly string[]): DependencyAdd[] {
  return names.map((name) => ({ kind: 'dependency.add', ecosystem, name }));
}

function npmAdds(parsed: ParsedArgs, names: readonly string[]): DependencyAdd[] {
  return add('npm', [...[...names, ...parsed.packages].map(npmName), ...parsed.sources]);
}

function npm(args: readonly string[]): DependencyAdd[] {
  const [sub = ''] = parseArgs(args, SYNTAX.npm, 1).operands;
  if (sub === 'exec' || sub === 'x') return runner(args, 1);
  const parsed = parseArgs(args, SYNTAX.npm);
  if (NPM_INSTALL.has(sub)) return npmAdds(parsed, parsed.operands.slice(1));
  if (NPM_REFETCH.has(sub)) return npmAdds(parsed, []);
  return [];
}

/** `npx [opts] pkg args…`: the package is fetched unless installed; with `-p x`, x is. */
function runner(args: readonly string[], skip = 0, syntax = SYNTAX.npm): DependencyAdd[] {
  const parsed = parseArgs(args, syntax, skip + 1);
  if (args.includes('--no') || args.includes('--no-install')) return add('npm', parsed.sources);
  const command = parsed.packages.length > 0 ? [] : parsed.operands.slice(skip, skip + 1);
  return npmAdds(parsed, command);
}

function nodeTool(tool: string, args: readonly string[]): DependencyAdd[] {
  let operands = parseArgs(args, SYNTAX.node, 3).operands;
  let skip = 0;
  // `yarn global add x`, `yarn workspace app add x`.
  if (tool === 'yarn' && operands[0] === 'global') skip = 1;
  if (tool === 'yarn' && operands[0] === 'workspace') skip = 2;
  const sub = operands[skip] ?? '';
  if (sub === 'dlx' || (tool === 'bun' && sub === 'x')) return runner(args, skip + 1, SYNTAX.node);
  const parsed = parseArgs(args, SYNTAX.node);
  operands = parsed.operands.slice(skip + 1);
  const installs = [
    'add',
    ...(tool === 'bun' ? ['a', 'install', 'i'] : tool === 'pnpm' ? ['install', 'i'] : ['install']),
  ];
  if (installs.includes(sub)) return npmAdds(parsed, operands);
  if (['update', 'up', 'upgrade'].includes(sub)) return npmAdds(parsed, []);
  return [];
}

/** `python -X… -m pip …`: the interpreter's own options come before `-m`. */
function python(args: readonly string[]): DependencyAdd[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const module = arg === '-m' ? args[i + 1] : arg.startsWith('-m') ? arg.slice(2) : undefined;
    if (module !== undefined) {
      const rest = args.slice(i + (arg === '-m' ? 2 : 1));
      if (/^pip[0-9.]*$/.test(module)) return pip(rest);
      if (module === 'uv') return uv(rest);
      if (module === 'pipx') return pipx(rest);
      return [];
    }
    if (!arg.startsWith('-')) return [];
    if (['-W', '-X', '-c'].includes(arg)) i++;
  }
  return [];
}

function pypiAdds(parsed: ParsedArgs, names: readonly string[]): DependencyAdd[] {
  // `requests @ https://…` arrives as three words.
  const joined = [...names, ...parsed.packages].join(' ').replace(/\s*@\s*/g, '@');
  return add('pypi', [...joined.split(' ').filter(Boolean).map(pypiName), ...parsed.sources]);
}

function pip(args: readonly string[]): DependencyAdd[] {
  const parsed = parseArgs(args, SYNTAX.pip);
  const [sub, ...operands] = parsed.operands;
  return sub === 'install' ? pypiAdds(parsed, operands) : [];
}

function uv(args: readonly string[]): DependencyAdd[] {
  const parsed = parseArgs(args, SYNTAX.pip);
  const [sub, next, ...rest] = parsed.operands;
  if (sub === 'add') return pypiAdds(parsed, parsed.operands.slice(1));
  if (sub === 'pip' && next === 'install') return pypiAdds(parsed, rest);
  if (sub === 'tool' && next === 'install') return pypiAdds(parsed, rest);
  if (sub === 'tool' && next === 'run') return pypiRunner(args.slice(args.indexOf('run') + 1));
  // `uv run --with x script.py`: the script is the workspace's; x is fetched.
  if (sub === 'run') return pypiAdds(parseArgs(args, SYNTAX.pip, 2), []);
  return [];
}

/** `uvx [--from x] cmd args…`, `pipx run [--spec x] cmd args…`. */
function pypiRunner(args: readonly string[]): DependencyAdd[] {
  const parsed = parseArgs(args, SYNTAX.pip, 1);
  const from = args.some((arg) => /^--(from|spec)(=|$)/.test(arg));
  return pypiAdds(parsed, from ? [] : parsed.operands.slice(0, 1));
}

function pipx(args: readonly string[]): DependencyAdd[] {
  const [sub] = parseArgs(args, SYNTAX.pip, 1).operands;
  const rest = args.slice(args.indexOf(sub ?? '') + 1);
  if (sub === 'run') return pypiRunner(rest);
  const parsed = parseArgs(rest, SYNTAX.pip);
  if (sub === 'install') return pypiAdds(parsed, parsed.operands);
  // `pipx inject venv pkg…`
  if (sub === 'inject') return pypiAdds(parsed, parsed.operands.slice(1));
  return [];
}

function pythonProject(tool: string, args: readonly string[]): DependencyAdd[] {
  const parsed = parseArgs(args, SYNTAX.pip);
  const [sub, ...operands] = parsed.operands;
  return sub === (tool === 'pipenv' ? 'install' : 'add') ? pypiAdds(parsed, operands) : [];
}

function cargo(args: readonly string[]): DependencyAdd[] {
  // `cargo +nightly add x`: a toolchain first.
  const parsed = parseArgs(args[0]?.startsWith('+') ? args.slice(1) : args, SYNTAX.cargo);
  const [sub, ...operands] = parsed.operands;
  if (sub !== 'add' && sub !== 'install') return [];
  const names = operands.map((arg) => (arg.includes('://') ? arg : (arg.split('@')[0] ?? arg)));
  return add('crates', [...names, ...parsed.sources]);
}

function go(args: readonly string[]): DependencyAdd[] {
  const [sub] = parseArgs(args, SYNTAX.go, 1).operands;
  const module = (arg: string) => arg.split('@')[0] ?? arg;
  if (sub === 'get' || sub === 'install')
    return add('go', parseArgs(args, SYNTAX.go).operands.slice(1).map(module));
  // `go run m@v` fetches m; `go run ./cmd` runs the workspace's own code.
  if (sub === 'run') {
    const [, target = ''] = parseArgs(args, SYNTAX.go, 2).operands;
    return target.includes('@') ? add('go', [module(target)]) : [];
  }
  return [];
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

/**
 * A requirement's project name, or the whole requirement when it names a URL, a repository or a
 * PEP 508 direct reference (`requests@https://…/evil.tar.gz` installs the tarball, whatever the
 * name says): that is then judged as from outside the registry.
 */
export function pypiName(arg: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg) || /^(git|hg|svn|bzr)\+/i.test(arg)) return arg;
  if (/^[^=<>!~;]*@/.test(arg)) return arg;
  return arg.split(/[=<>!~;[ ]/)[0] ?? arg;
}
