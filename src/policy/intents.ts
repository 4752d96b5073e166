import { dependencyIntents } from './install-intents.ts';
import type { PolicyAction } from './types.ts';

/**
 * What a simple command means beyond running it: `npm install left-pad` adds a dependency,
 * `git push origin feature` pushes a branch. These become actions of their own, so `dependencies:`
 * and `git.push:` in the policy hold however the agent spells the act. Words are as the shell
 * analysis printed them (quotes removed).
 */
export function intentsOf(command: string): PolicyAction[] {
  const words = command.split(/\s+/).filter(Boolean);
  const tool = words[0]?.split('/').at(-1);
  if (tool === 'git') return gitPush(words.slice(1));
  return dependencyIntents(words);
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
