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
  const operands = (args: string[]) => args.filter((arg) => !arg.startsWith('-'));
  const packages = (ecosystem: string, args: string[], clean: (arg: string) => string): PolicyAction[] =>
    operands(args).map((arg) => ({ kind: 'dependency.add', ecosystem, name: clean(arg) }));

  switch (tool) {
    case 'npm':
      if (['install', 'i', 'add', 'isntall', 'in'].includes(sub)) return packages('npm', rest, npmName);
      return [];
    case 'pnpm':
    case 'yarn':
    case 'bun':
      if (sub === 'add' || (tool === 'pnpm' && ['install', 'i'].includes(sub) && operands(rest).length > 0))
        return packages('npm', rest, npmName);
      return [];
    case 'pip':
    case 'pip3':
    case 'uv':
      if (sub === 'install' || (tool === 'uv' && sub === 'add'))
        return packages('pypi', skipRequirementFiles(rest), pypiName);
      return [];
    case 'cargo':
      return sub === 'add' ? packages('crates', rest, (arg) => arg.split('@')[0] ?? arg) : [];
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
  // `@scope/pkg@1.2.3` and `pkg@latest`: the version follows the last `@` that is not the first character.
  const at = arg.lastIndexOf('@');
  return at > 0 ? arg.slice(0, at) : arg;
}

function pypiName(arg: string): string {
  return arg.split(/[=<>!~;[ ]/)[0] ?? arg;
}

function skipRequirementFiles(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-r' || arg === '--requirement' || arg === '-c' || arg === '--constraint') i += 1;
    else out.push(arg);
  }
  return out;
}
