import type { Effect, OperandEffect, OptionSpec } from '../program-options.ts';
import type { ShellWord } from '../shell-words.ts';

/** The pieces the program tables are written with. */

export const PROGRAM: Effect = { runs: 'program' };
export const COMMAND: Effect = { runs: 'command' };
export const CODE: Effect = { runs: 'code' };
export const WRITES: Effect = { writes: 'file' };
export const MOVES: Effect = { moves: 'directory' };

export function o(
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
export function flags(names: string): OptionSpec[] {
  return names.split(' ').map((n) => o(n));
}

/** A makefile, or a directory of one, read from a stream or from outside the workspace. */
export const fromElsewhere = (value: string) =>
  value === '-' || /^[/~]/.test(value) || /(^|\/)\.\.(\/|$)/.test(value);

/** The `index`-th operand, if there is one, with what it does. */
export function nth(
  words: readonly ShellWord[],
  index: number,
  effect: Effect,
  why: string,
): OperandEffect[] {
  const word = words[index];
  return word ? [{ word, effect, why }] : [];
}
