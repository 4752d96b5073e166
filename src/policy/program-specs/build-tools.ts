import type { OperandEffect, ProgramSpec } from '../program-options.ts';
import type { ShellWord } from '../shell-words.ts';
import { CODE, COMMAND, flags, fromElsewhere, MOVES, o, PROGRAM, WRITES } from './option-builders.ts';

/** Build tools, test runners and language runtimes. */

/**
 * Test files or projects from outside the workspace (`node --test /tmp/x.mjs`, `pytest /tmp/t`,
 * `tsc -b /tmp/t.json`): code nobody sees in the workspace's diff, maybe written a moment before.
 */
const outsideOperands = (words: readonly ShellWord[]): OperandEffect[] =>
  words
    .filter((word) => word.value === undefined || fromElsewhere(word.value))
    .map((word) => ({ word, effect: CODE, why: '(code from outside the workspace)' }));

export const make: ProgramSpec = {
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

export const node: ProgramSpec = {
  operands: outsideOperands,
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
    o('cpu-prof-name heap-prof-name report-filename tls-keylog logfile', 'required', WRITES),
    o('trace-event-file-pattern', 'required', WRITES),
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
export const npm: ProgramSpec = {
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

export const npx: ProgramSpec = {
  style: 'gnu',
  abbreviations: true,
  stopAtOperand: true,
  runsOperand: true,
  options: [o('c call', 'required', COMMAND), o('p package', 'required', CODE), ...flags('yes no quiet')],
};

export const tsc: ProgramSpec = {
  operands: outsideOperands,
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

export const pytest: ProgramSpec = {
  operands: outsideOperands,
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

export const python: ProgramSpec = {
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
  o('C', 'required', CODE, fromElsewhere),
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
const goBuild: ProgramSpec = { style: 'single', options: GO_BUILD, operands: outsideOperands };
export const go: ProgramSpec = {
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
export const cargo: ProgramSpec = {
  style: 'gnu',
  options: CARGO_OPTIONS,
  subcommands: Object.fromEntries(
    ['test', 't', 'build', 'b', 'check', 'c', 'run', 'r', 'bench', 'doc', 'clippy', 'fmt'].map((n) => [
      n,
      cargoCommand,
    ]),
  ),
};
