import type { ProgramSpec } from '../program-options.ts';
import { cargo, go, make, node, npm, npx, pytest, python, tsc } from './build-tools.ts';
import { copier, dd, find, install, maker, rg, sort, tee, uniq } from './file-tools.ts';
import { git } from './git.ts';

/**
 * How the programs an agent commonly runs read their command lines, from their manuals (`--help`,
 * man pages): the options that take a value (so operands are found where the program finds them)
 * and every option that runs a program or code, or writes a file. Options that do neither and take
 * no value need not be listed; an option missing here is read as a harmless flag.
 */
export const PROGRAMS: Readonly<Record<string, ProgramSpec>> = {
  sort,
  uniq,
  tee,
  cp: copier('backup preserve no-preserve reflink sparse'),
  mv: copier('backup'),
  ln: copier('backup'),
  install,
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
