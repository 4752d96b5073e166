import type { ProgramSpec } from '../program-options.ts';
import { CODE, COMMAND, flags, MOVES, nth, o, PROGRAM, WRITES } from './option-builders.ts';

/** Options every git diff, log and show reads. */
const GIT_DIFF_OPTIONS = [
  o('output', 'required', WRITES),
  ...flags('output-indicator-new output-indicator-old output-indicator-context'),
];

export const git: ProgramSpec = {
  style: 'gnu',
  abbreviations: true,
  options: [
    // Configuration on the command line sets diff.external, core.pager, alias.x=!cmd…
    o('c', 'required', CODE),
    o('config-env', 'required', CODE),
    o('exec-path', 'optional', PROGRAM),
    // Another repository's or work tree's config, written by whoever wrote that directory.
    o('git-dir', 'required', CODE),
    o('work-tree', 'required', CODE),
    o('C', 'required', MOVES),
    o('namespace', 'required'),
    o('super-prefix', 'required'),
    o('list-cmds', 'required'),
    o('attr-source', 'required'),
    ...flags(
      'p paginate P no-pager no-replace-objects bare literal-pathspecs glob-pathspecs noglob-pathspecs icase-pathspecs no-optional-locks no-lazy-fetch version help html-path man-path info-path',
    ),
  ],
  subcommands: {
    diff: { style: 'gnu', abbreviations: true, options: GIT_DIFF_OPTIONS },
    log: { style: 'gnu', abbreviations: true, options: GIT_DIFF_OPTIONS },
    show: { style: 'gnu', abbreviations: true, options: GIT_DIFF_OPTIONS },
    whatchanged: { style: 'gnu', abbreviations: true, options: GIT_DIFF_OPTIONS },
    'format-patch': {
      style: 'gnu',
      abbreviations: true,
      options: [...GIT_DIFF_OPTIONS, o('o output-directory', 'required', WRITES)],
    },
    difftool: {
      style: 'gnu',
      abbreviations: true,
      options: [o('x extcmd', 'required', COMMAND), o('t tool', 'required', PROGRAM), ...flags('tool-help')],
    },
    mergetool: {
      style: 'gnu',
      abbreviations: true,
      options: [o('t tool', 'required', PROGRAM), ...flags('tool-help')],
    },
    grep: {
      style: 'gnu',
      abbreviations: true,
      options: [o('O open-files-in-pager', 'optional', PROGRAM), ...flags('or and not')],
    },
    archive: {
      style: 'gnu',
      abbreviations: true,
      options: [o('o output', 'required', WRITES), o('exec', 'required', PROGRAM), o('remote', 'required')],
    },
    rebase: { style: 'gnu', abbreviations: true, options: [o('x exec', 'required', COMMAND)] },
    fetch: { style: 'gnu', abbreviations: true, options: [o('upload-pack', 'required', COMMAND)] },
    pull: { style: 'gnu', abbreviations: true, options: [o('upload-pack', 'required', COMMAND)] },
    clone: {
      style: 'gnu',
      abbreviations: true,
      options: [o('u upload-pack', 'required', COMMAND), o('c config', 'required', CODE)],
    },
    'ls-remote': { style: 'gnu', abbreviations: true, options: [o('upload-pack', 'required', COMMAND)] },
    push: { style: 'gnu', abbreviations: true, options: [o('receive-pack exec', 'required', COMMAND)] },
    // `git config` writes the repository's configuration, which later git commands obey.
    config: {
      style: 'gnu',
      options: [],
      operands: (words) => nth(words, 0, CODE, '(writes git configuration)'),
    },
    bisect: {
      style: 'gnu',
      options: [],
      operands: (words) => (words[0]?.value === 'run' ? nth(words, 1, PROGRAM, 'run') : []),
    },
    submodule: {
      style: 'gnu',
      options: [],
      operands: (words) => (words[0]?.value === 'foreach' ? nth(words, 1, COMMAND, 'foreach') : []),
    },
  },
};
