import type { ProgramSpec } from '../program-options.ts';
import { flags, nth, o, PROGRAM, WRITES } from './option-builders.ts';

/** Programs that read and write files: coreutils, find, ripgrep. */

export const sort: ProgramSpec = {
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

export const uniq: ProgramSpec = {
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

export const tee: ProgramSpec = {
  style: 'gnu',
  abbreviations: true,
  options: [o('output-error', 'optional'), ...flags('append ignore-interrupts help version')],
  operands: (words) => words.map((word) => ({ word, effect: WRITES, why: '(an output file)' })),
};

/** cp, mv, ln, install: the last operand is written (a file, or a directory files land in); -t names it first. */
export function copier(valueOptions: string): ProgramSpec {
  return {
    style: 'gnu',
    abbreviations: true,
    options: [o('t target-directory', 'required', WRITES), o('S suffix', 'required'), ...flags(valueOptions)],
    operands: (words) => (words.length >= 2 ? nth(words, words.length - 1, WRITES, '(its destination)') : []),
  };
}

/** touch, mkdir, truncate: every operand is made or changed. */
export function maker(valueOptions: string[]): ProgramSpec {
  return {
    style: 'gnu',
    abbreviations: true,
    options: valueOptions.map((n) => o(n, 'required')),
    operands: (words) => words.map((word) => ({ word, effect: WRITES, why: '(a file it makes)' })),
  };
}

export const dd: ProgramSpec = {
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
export const find: ProgramSpec = {
  style: 'single',
  options: [
    o('fprint', 'required', WRITES),
    o('fprint0', 'required', WRITES),
    o('fprintf', 'required', WRITES),
    o('fls', 'required', WRITES),
  ],
};

export const rg: ProgramSpec = {
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

const copierWithBackup = copier('backup');
export const install: ProgramSpec = {
  ...copierWithBackup,
  options: [...copierWithBackup.options, o('m mode o owner g group', 'required')],
};
