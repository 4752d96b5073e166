import type { Effect, OperandEffect, OptionSpec, ProgramSpec } from './program-options.ts';
import type { ShellWord } from './shell-words.ts';

/**
 * How the programs an agent commonly runs read their command lines, from their manuals (`--help`,
 * man pages): the options that take a value (so operands are found where the program finds them)
 * and every option that runs a program or code, or writes a file. Options that do neither and take
 * no value need not be listed; an option missing here is read as a harmless flag.
 */

const PROGRAM: Effect = { runs: 'program' };
const COMMAND: Effect = { runs: 'command' };
const CODE: Effect = { runs: 'code' };
const WRITES: Effect = { writes: 'file' };
const MOVES: Effect = { moves: 'directory' };

function o(
  names: string,
  arg: OptionSpec['arg'] = 'none',
  effect?: Effect,
  when?: (value: string) => boolean,
): OptionSpec {
  const list = names.split(' ');
  const short = list.filter((n) => n.length === 1).join('');
  const long = list.filter((n) => n.length > 1);
  return {
    ...(short ? { short } : {}),
    ...(long.length ? { long } : {}),
    arg,
    ...(effect ? { effect } : {}),
    ...(when ? { when } : {}),
  };
}

/** Values (`-j 4`) and flags listed so an abbreviation resolves as the program resolves it. */
function flags(names: string): OptionSpec[] {
  return names.split(' ').map((n) => o(n));
}

/** A makefile, or a directory of one, read from a stream or from outside the workspace. */
const fromElsewhere = (value: string) =>
  value === '-' || /^[/~]/.test(value) || /(^|\/)\.\.(\/|$)/.test(value);

const sort: ProgramSpec = {
  style: 'gnu',
  abbreviations: true,
  options: [
    o('o output', 'required', WRITES),
    o('compress-program', 'required', PROGRAM),
    o('T temporary-directory', 'required'),
    o('S buffer-size', 'required'),
    o('t field-separator', 'required'),
    o('k key', 'required'),
    o('random-source', 'required'),
    o('files0-from', 'required'),
    o('batch-size', 'required'),
    o('parallel', 'required'),
    o('sort', 'required'),
    o('check', 'optional'),
    ...flags(
      'ignore-leading-blanks dictionary-order ignore-case general-numeric-sort ignore-nonprinting month-sort human-numeric-sort numeric-sort random-sort reverse version-sort debug merge stable unique zero-terminated help version',
    ),
  ],
};

const uniq: ProgramSpec = {
  style: 'gnu',
  abbreviations: true,
  options: [
    o('f skip-fields', 'required'),
    o('s skip-chars', 'required'),
    o('w check-chars', 'required'),
    o('all-repeated', 'optional'),
    o('group', 'optional'),
    ...flags('count repeated ignore-case unique zero-terminated help version'),
  ],
  // `uniq INPUT OUTPUT` writes OUTPUT.
  operands: (words) => nth(words, 1, WRITES, '(its second operand, the output file)'),
};

const tee: ProgramSpec = {
  style: 'gnu',
  abbreviations: true,
  options: [o('output-error', 'optional'), ...flags('append ignore-interrupts help version')],
  operands: (words) => words.map((word) => ({ word, effect: WRITES, why: '(an output file)' })),
};

/** cp, mv, ln, install: the last operand is written (a file, or a directory files land in); -t names it first. */
function copier(valueOptions: string): ProgramSpec {
  return {
    style: 'gnu',
    abbreviations: true,
    options: [o('t target-directory', 'required', WRITES), o('S suffix', 'required'), ...flags(valueOptions)],
    operands: (words) => (words.length >= 2 ? nth(words, words.length - 1, WRITES, '(its destination)') : []),
  };
}

/** touch, mkdir, truncate: every operand is made or changed. */
function maker(valueOptions: string[]): ProgramSpec {
  return {
    style: 'gnu',
    abbreviations: true,
    options: valueOptions.map((n) => o(n, 'required')),
    operands: (words) => words.map((word) => ({ word, effect: WRITES, why: '(a file it makes)' })),
  };
}

const dd: ProgramSpec = {
  style: 'gnu',
  options: [],
  operands: (words) =>
    words.flatMap((word) =>
      word.value?.startsWith('of=')
        ? [{ word: { ...word, value: word.value.slice(3) }, effect: WRITES, why: 'of=' }]
        : word.value === undefined
          ? [{ word, effect: WRITES, why: '(an operand only known at run time)' }]
          : [],
    ),
};

// find's expression: primaries are one-dash words, never abbreviated. `-exec` and friends are
// unwrapped as commands elsewhere; here are those that write where they are told.
const find: ProgramSpec = {
  style: 'single',
  options: [
    o('fprint', 'required', WRITES),
    o('fprint0', 'required', WRITES),
    o('fprintf', 'required', WRITES),
    o('fls', 'required', WRITES),
  ],
};

const rg: ProgramSpec = {
  style: 'gnu',
  options: [
    o('pre', 'required', PROGRAM),
    o('hostname-bin', 'required', PROGRAM),
    o('pre-glob', 'required'),
    ...['e regexp', 'f file', 'g glob', 'iglob', 't type', 'T type-not', 'm max-count', 'A after-context']
      .concat(['B before-context', 'C context', 'M max-columns', 'j threads', 'E encoding', 'r replace'])
      .concat(['ignore-file', 'type-add', 'type-clear', 'max-depth', 'max-filesize', 'path-separator'])
      .concat(['colors', 'color', 'sort', 'sortr', 'dfa-size-limit', 'regex-size-limit', 'context-separator'])
      .concat([
        'field-context-separator',
        'field-match-separator',
        'engine',
        'hostname-bin',
        'hyperlink-format',
      ])
      .map((n) => o(n, 'required')),
  ],
};

/** Options every git diff, log and show reads. */
const GIT_DIFF_OPTIONS = [
  o('output', 'required', WRITES),
  ...flags('output-indicator-new output-indicator-old output-indicator-context'),
];

const git: ProgramSpec = {
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

const make: ProgramSpec = {
  style: 'gnu',
  abbreviations: true,
  options: [
    o('E eval', 'required', CODE),
    o('f file makefile', 'required', CODE, fromElsewhere),
    o('C directory', 'required', CODE, fromElsewhere),
    o('I include-dir', 'required'),
    o('j jobs', 'optional'),
    o('l load-average max-load', 'optional'),
    o('o old-file assume-old', 'required'),
    o('W what-if new-file assume-new', 'required'),
    o('O output-sync', 'optional'),
    o('debug', 'optional'),
    o('jobserver-auth', 'required'),
    o('jobserver-style', 'required'),
    o('shuffle', 'optional'),
    ...flags(
      'always-make environment-overrides help ignore-errors keep-going check-symlink-times just-print dry-run recon print-data-base question no-builtin-rules no-builtin-variables silent quiet no-silent no-keep-going stop touch trace version print-directory no-print-directory warn-undefined-variables',
    ),
  ],
  // `make SHELL=prog`, `make CC=prog`, `make 'X!=cmd'`: a variable on the command line overrides
  // the makefile's, and `!=` runs its value at once.
  operands: (words) =>
    words
      .filter((w) => w.value === undefined || w.value.includes('='))
      .map((word) => ({ word, effect: CODE, why: '(a variable that overrides the makefile)' })),
};

const node: ProgramSpec = {
  style: 'gnu',
  underscores: true,
  options: [
    o('e eval', 'required', CODE),
    o('p print', 'required', CODE),
    o('r require', 'required', CODE),
    o('import', 'required', CODE),
    o('loader experimental-loader', 'required', CODE),
    o('test-reporter', 'required', CODE),
    o('run', 'required', CODE),
    o('test-global-setup', 'required', CODE),
    // Files of options: NODE_OPTIONS in an env file, nodeOptions in a config file, OpenSSL engines.
    o('env-file env-file-if-exists experimental-config-file openssl-config snapshot-blob', 'required', CODE),
    o('test-reporter-destination redirect-warnings localstorage-file', 'required', WRITES),
    o('cpu-prof-dir heap-prof-dir diagnostic-dir report-directory report-dir', 'required', WRITES),
    o(
      'test-name-pattern test-skip-pattern test-reporter-destination test-concurrency test-timeout',
      'required',
    ),
    o('C conditions', 'required'),
  ],
};

// npm reads its configuration from the command line too, with nopt's abbreviations.
const NPM_OPTIONS = [
  o('script-shell', 'required', PROGRAM),
  o('shell', 'required', PROGRAM),
  o('node-options', 'required', CODE),
  o('userconfig', 'required', CODE),
  o('globalconfig', 'required', CODE),
  o('editor', 'required', PROGRAM),
  o('browser', 'required', PROGRAM),
  o('git', 'required', PROGRAM),
  o('c call', 'required', COMMAND),
  o('package', 'required', CODE),
  // Another directory's .npmrc, which can name the script shell.
  o('prefix C', 'required', CODE),
  o('cache logs-dir', 'required', WRITES),
  o('init-module', 'required', CODE),
  o('w workspace', 'required'),
];
const npmScript: ProgramSpec = { style: 'gnu', abbreviations: true, options: NPM_OPTIONS };
const npm: ProgramSpec = {
  style: 'gnu',
  abbreviations: true,
  options: NPM_OPTIONS,
  subcommands: {
    test: npmScript,
    t: npmScript,
    tst: npmScript,
    run: npmScript,
    'run-script': npmScript,
    exec: npmScript,
    x: npmScript,
  },
};

const npx: ProgramSpec = {
  style: 'gnu',
  abbreviations: true,
  stopAtOperand: true,
  runsOperand: 'program',
  options: [o('c call', 'required', COMMAND), o('p package', 'required', CODE), ...flags('yes no quiet')],
};

const tsc: ProgramSpec = {
  style: 'single',
  ignoreCase: true,
  responseFiles: true,
  options: [
    o('outFile out', 'required', WRITES),
    o('outDir', 'required', WRITES),
    o('declarationDir', 'required', WRITES),
    o('tsBuildInfoFile', 'required', WRITES),
    o('generateTrace', 'required', WRITES),
    o('generateCpuProfile', 'required', WRITES),
    // A tsconfig from outside the workspace names output paths nobody reviewed.
    o('p project', 'required', CODE, fromElsewhere),
    o('rootDir baseUrl target module moduleResolution lib jsx types typeRoots locale', 'required'),
  ],
};

const pytest: ProgramSpec = {
  style: 'gnu',
  abbreviations: true,
  responseFiles: true,
  options: [
    // `-p no:cacheprovider` turns a plugin off; any other name imports a module.
    o('p', 'required', CODE, (v) => !v.startsWith('no:')),
    o('o override-ini', 'required', CODE),
    o('c config-file', 'required', CODE),
    o('rootdir', 'required'),
    o('confcutdir', 'required'),
    o('basetemp', 'required', WRITES),
    o('junitxml junit-xml', 'required', WRITES),
    o('resultlog result-log', 'required', WRITES),
    o('debug', 'optional', WRITES),
    o('log-file report-log', 'required', WRITES),
    // A warning category with a dot is imported: `-W ignore::evilmod.X` runs evilmod.
    o('W pythonwarnings', 'required', CODE, (v) => /::[\w.]*\./.test(v)),
    o('pdbcls', 'required', CODE),
    o('pastebin', 'required'),
    o('k m', 'required'),
    o('import-mode tb capture maxfail durations log-file log-level', 'required'),
  ],
};

const python: ProgramSpec = {
  style: 'gnu',
  stopAtOperand: true,
  options: [
    o('c', 'required', CODE),
    { ...o('m', 'required'), handsOver: true },
    o('W', 'required', CODE, (v) => /::[\w.]*\./.test(v)),
    o('X Q', 'required'),
  ],
};

/** Go's build flags, shared by build, test, vet, run and install (`go help build`, `go help testflag`). */
const GO_BUILD = [
  o('exec', 'required', PROGRAM),
  o('toolexec', 'required', COMMAND),
  o('vettool', 'required', PROGRAM),
  o('ldflags', 'required', CODE, (v) => /extld|extar|linkmode/.test(v)),
  o('C', 'required', MOVES),
  o('test.testlogfile test.gocoverdir test.fuzzcachedir', 'required', WRITES),
  o('o', 'required', WRITES),
  o(
    'coverprofile test.coverprofile cpuprofile test.cpuprofile memprofile test.memprofile',
    'required',
    WRITES,
  ),
  o(
    'blockprofile test.blockprofile mutexprofile test.mutexprofile trace test.trace outputdir test.outputdir',
    'required',
    WRITES,
  ),
  o('overlay modfile pkgdir', 'required', CODE),
  o(
    'p covermode coverpkg asmflags buildmode buildvcs compiler gccgoflags gcflags installsuffix mod pgo tags',
    'required',
  ),
  o(
    'run skip bench benchtime count cpu list parallel timeout shuffle fuzz fuzztime fuzzminimizetime memprofilerate blockprofilerate mutexprofilefraction vet json',
    'required',
  ),
];
const goBuild: ProgramSpec = { style: 'single', options: GO_BUILD };
const go: ProgramSpec = {
  style: 'single',
  options: [],
  subcommands: {
    build: goBuild,
    test: goBuild,
    vet: goBuild,
    run: goBuild,
    install: goBuild,
    generate: goBuild,
  },
};

const CARGO_OPTIONS = [
  o('config', 'required', CODE),
  o('Z', 'required', CODE),
  o('target-dir', 'required', WRITES),
  o('artifact-dir out-dir', 'required', WRITES),
  o('manifest-path lockfile-path', 'required', CODE, fromElsewhere),
  o(
    'p package j jobs target features F color profile test bench bin example exclude message-format',
    'required',
  ),
];
const cargoCommand: ProgramSpec = { style: 'gnu', options: CARGO_OPTIONS };
const cargo: ProgramSpec = {
  style: 'gnu',
  options: CARGO_OPTIONS,
  subcommands: Object.fromEntries(
    ['test', 't', 'build', 'b', 'check', 'c', 'run', 'r', 'bench', 'doc', 'clippy', 'fmt'].map((n) => [
      n,
      cargoCommand,
    ]),
  ),
};

export const PROGRAMS: Readonly<Record<string, ProgramSpec>> = {
  sort,
  uniq,
  tee,
  cp: copier('backup preserve no-preserve reflink sparse'),
  mv: copier('backup'),
  ln: copier('backup'),
  install: {
    ...copier('backup'),
    options: [...copier('backup').options, o('m mode o owner g group', 'required')],
  },
  touch: maker(['d date', 'r reference', 't']),
  mkdir: maker(['m mode', 'context']),
  truncate: maker(['s size', 'r reference']),
  dd,
  find,
  rg,
  git,
  make,
  gmake: make,
  node,
  npm,
  npx,
  tsc,
  pytest,
  'py.test': pytest,
  python,
  python3: python,
  go,
  cargo,
};

function nth(words: readonly ShellWord[], index: number, effect: Effect, why: string): OperandEffect[] {
  const word = words[index];
  return word ? [{ word, effect, why }] : [];
}
