/**
 * Git subcommands that can print the contents of files at any revision. When the repository's
 * history holds a file the policy denies (a `.env` committed long ago), these read it past every
 * mask on the working tree, so they are asked about rather than allowed.
 */
const ALWAYS = new Set([
  'show',
  'diff',
  'cat-file',
  'grep',
  'archive',
  'blame',
  'annotate',
  'format-patch',
  'stash',
  'fast-export',
  'bundle',
  'difftool',
  'range-diff',
]);
/** These print contents only with a patch option. */
const WITH_PATCH = new Set(['log', 'whatchanged', 'reflog']);
const PATCH_OPTIONS =
  /^(-p|-u|--patch|--patch-with-stat|--patch-with-raw|-L.*|--full-diff|-U\d*|--unified.*|--cc|-c|-m|--raw)$/;
/** Global options that take a separate value: `git -C dir …`, `git -c key=value …`. */
const GLOBAL_WITH_VALUE = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--exec-path']);

export function printsFileContents(command: string): boolean {
  const words = command.split(/\s+/).filter(Boolean);
  if ((words[0]?.split('/').at(-1) ?? '') !== 'git') return false;
  let i = 1;
  while (i < words.length && (words[i] ?? '').startsWith('-')) {
    i += GLOBAL_WITH_VALUE.has(words[i] ?? '') ? 2 : 1;
  }
  const sub = words[i] ?? '';
  if (ALWAYS.has(sub)) return true;
  return WITH_PATCH.has(sub) && words.slice(i + 1).some((word) => PATCH_OPTIONS.test(word));
}
