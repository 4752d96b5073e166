import { PROGRAMS } from './program-specs/index.ts';
import { display, type ShellWord } from './shell-words.ts';

/**
 * What an option (or an operand) makes a program do beyond its purpose: run a program or code
 * named on its command line, or write a file of its own choosing. The policy judges these as
 * the program would act on them, not by how the option happens to be spelled.
 */
export type Effect =
  /** The value is a program the tool runs itself (`sort --compress-program=PROG`). */
  | { runs: 'program' }
  /** The value is a command line the tool hands to a shell (`git difftool --extcmd=CMD`). */
  | { runs: 'command' }
  /** The value is code or configuration that can run anything (`make --eval`, `git -c`). */
  | { runs: 'code' }
  /** The value names a file the tool writes (`sort --output=FILE`). */
  | { writes: 'file' }
  /** The tool works in the directory the value names (`git -C DIR`): relative paths move with it. */
  | { moves: 'directory' };

export interface OptionSpec {
  /** Long names without dashes. */
  long?: readonly string[];
  /** Short letters. */
  short?: string;
  arg: 'none' | 'required' | 'optional';
  effect?: Effect;
  /** Only when the value matches (`make -f -` reads a makefile from stdin). */
  when?: (value: string) => boolean;
  /** The value names a program whose options the remaining words are (`python -m pytest …`). */
  handsOver?: boolean;
}

/**
 * How a program reads its command line. `gnu`: getopt_long — options anywhere before `--`, long
 * options as `--name=value` or `--name value`, short ones grouped (`-zS64k`). `single`: long
 * options with one dash or two (`-exec`, `--exec`), as Go's flag package and tsc read them.
 */
export interface ProgramSpec {
  style: 'gnu' | 'single';
  /** GNU getopt_long, git's parse-options, npm's nopt and argparse take any unambiguous prefix. */
  abbreviations?: boolean;
  /** Options stop at the first operand (Go's flag package, npx, python). */
  stopAtOperand?: boolean;
  /** Option names are matched without regard to case (tsc). */
  ignoreCase?: boolean;
  /** `--test_reporter` is `--test-reporter` (node reads `_` in option names as `-`). */
  underscores?: boolean;
  /** `@file` reads more arguments from a file (tsc, pytest): the analysis cannot see them. */
  responseFiles?: boolean;
  options: readonly OptionSpec[];
  /** What operands do: `uniq IN OUT` writes OUT, `make VAR=value` overrides the makefile. */
  operands?: (operands: readonly ShellWord[]) => OperandEffect[];
  /** The first operand selects a subcommand with options of its own (git, go, cargo, npm). */
  subcommands?: Readonly<Record<string, ProgramSpec>>;
  /** Options of the program the first operand names (`npx tsc …`, `python -m pytest …`). */
  runsOperand?: boolean;
}

export interface OperandEffect {
  word: ShellWord;
  effect: Effect;
  why: string;
}

/** One effect found on a command line, with the option as the program reads it. */
export interface Finding {
  /** `sort --compress-program=sh`, `uniq (2nd operand)`. */
  option: string;
  effect: Effect;
  /** The value the effect applies to; undefined when it is only known at run time. */
  value: ShellWord | undefined;
}

export interface ReadCommand {
  /** The words with each option spelled as the program reads it (`--compress-prog` → `--compress-program`). */
  canonical: string[];
  findings: Finding[];
  /** Set when an option's spelling or value is only known at run time. */
  unknowable?: string;
}

/** Reads a command's words as its program would: canonical spelling and the effects of its options. */
export function readCommand(name: string, args: readonly ShellWord[]): ReadCommand {
  const spec = PROGRAMS[name];
  const canonical = [name];
  if (!spec) return { canonical: [name, ...args.map(display)], findings: [] };
  const out: ReadCommand = { canonical, findings: [] };
  readWith(name, spec, args, out);
  return out;
}

function readWith(label: string, spec: ProgramSpec, args: readonly ShellWord[], out: ReadCommand): void {
  const operands: ShellWord[] = [];
  let i = 0;
  let optionsEnded = false;
  const hasEffects = spec.options.some((o) => o.effect) || spec.operands || spec.subcommands;
  for (; i < args.length; i++) {
    const word = args[i] as ShellWord;
    const value = word.value;
    if (optionsEnded) {
      operands.push(word);
      out.canonical.push(display(word));
      continue;
    }
    if (value === undefined || (word.pattern && mayStartWithDash(word))) {
      // `sort $X` or `sort *`: the word may turn into an option at run time.
      if (hasEffects && !out.unknowable)
        out.unknowable = `${label}: ${word.text} is only known at run time and may be an option`;
      operands.push(word);
      out.canonical.push(display(word));
      if (spec.stopAtOperand || spec.subcommands || spec.runsOperand) break;
      continue;
    }
    if (value === '--') {
      out.canonical.push('--');
      optionsEnded = true;
      continue;
    }
    if (spec.responseFiles && value.startsWith('@') && value.length > 1) {
      out.unknowable ??= `${label}: ${value} reads more arguments from a file`;
      out.canonical.push(value);
      continue;
    }
    const isOption = value.startsWith('-') && value !== '-';
    if (!isOption) {
      if (spec.subcommands || spec.runsOperand) break;
      operands.push(word);
      out.canonical.push(value);
      if (spec.stopAtOperand) optionsEnded = true;
      continue;
    }
    const read = readOption(label, spec, args, i, out);
    i = read.next;
    if (read.handsOver !== undefined) {
      handOver(label, read.handsOver, args.slice(i + 1), out);
      return;
    }
  }
  if (spec.subcommands && i < args.length) {
    const sub = args[i] as ShellWord;
    out.canonical.push(display(sub));
    const inner = sub.value === undefined ? undefined : spec.subcommands[sub.value];
    if (inner) readWith(`${label} ${sub.value}`, inner, args.slice(i + 1), out);
    else out.canonical.push(...args.slice(i + 1).map(display));
    return;
  }
  if (spec.runsOperand && i < args.length) {
    const [program, ...rest] = args.slice(i);
    out.canonical.push(display(program as ShellWord));
    handOver(label, program?.value, rest, out);
    return;
  }
  for (const found of spec.operands?.(operands) ?? [])
    out.findings.push({ option: `${label} ${found.why}`, effect: found.effect, value: found.word });
}

/** The rest of the words are another program's (`npx tsc …`, `python -m pytest …`): read with its spec. */
function handOver(
  label: string,
  program: string | undefined,
  rest: readonly ShellWord[],
  out: ReadCommand,
): void {
  const inner = program === undefined ? undefined : PROGRAMS[baseName(program)];
  if (!inner) {
    out.canonical.push(...rest.map(display));
    return;
  }
  readWith(`${label} ${program}`, inner, rest, out);
}

/** A glob that starts with a wildcard can match a file named `--output=x`. */
function mayStartWithDash(word: ShellWord): boolean {
  return !/^[A-Za-z0-9_./~]/.test(word.text.replace(/^['"]/, ''));
}

function readOption(
  label: string,
  spec: ProgramSpec,
  args: readonly ShellWord[],
  at: number,
  out: ReadCommand,
): { next: number; handsOver?: string | undefined } {
  const text = (args[at] as ShellWord).value as string;
  const long = text.startsWith('--') || spec.style === 'single';
  if (long) {
    const dashed = text.replace(/^--?/, '');
    const body = spec.underscores ? dashed.replace(/^[^=]*/, (name) => name.replaceAll('_', '-')) : dashed;
    const eq = body.indexOf('=');
    const written = eq < 0 ? body : body.slice(0, eq);
    const option = findLong(spec, written);
    if (!option) {
      out.canonical.push(text);
      return { next: at };
    }
    const name = spec.ignoreCase
      ? (option.long?.find((l) => l.toLowerCase() === written.toLowerCase()) ?? option.long?.[0])
      : longName(option, written);
    const dashes = spec.style === 'single' ? '-' : '--';
    let value: ShellWord | undefined;
    let next = at;
    if (eq >= 0) value = { ...(args[at] as ShellWord), value: body.slice(eq + 1) };
    else if (option.arg === 'required') {
      next = at + 1;
      value = args[next];
    }
    const joined = spec.style === 'single' ? ' ' : '=';
    out.canonical.push(value ? `${dashes}${name}${joined}${shown(value)}` : `${dashes}${name}`);
    for (const same of namesakes(spec, option))
      record(label, `${dashes}${name}`, same, value, eq < 0 && option.arg === 'required', out);
    return option.handsOver ? { next, handsOver: value?.value } : { next };
  }
  // Grouped short options: `-zS64k` is `-z -S 64k`.
  let next = at;
  for (let c = 1; c < text.length; c++) {
    const letter = text[c] as string;
    const option = spec.options.find((o) => o.short?.includes(letter));
    if (!option || option.arg === 'none') {
      out.canonical.push(`-${letter}`);
      if (option) record(label, `-${letter}`, option, undefined, false, out);
      continue;
    }
    const attached = text.slice(c + 1);
    let value: ShellWord | undefined;
    if (attached) value = { ...(args[at] as ShellWord), value: attached };
    else if (option.arg === 'required') {
      next = at + 1;
      value = args[next];
    }
    out.canonical.push(value ? `-${letter} ${shown(value)}` : `-${letter}`);
    for (const same of namesakes(spec, option))
      record(label, `-${letter}`, same, value, !attached && option.arg === 'required', out);
    if (option.handsOver) return { next, handsOver: value?.value };
    break;
  }
  return { next };
}

/** An option's value as the rules see it: quoted when it holds spaces, so it reads as one word. */
function shown(value: ShellWord): string {
  const text = display(value);
  return /[\s'"]/.test(text) ? `'${text.replace(/'/g, `'\\''`)}'` : text;
}

/** An option listed twice for two effects (`go -C` moves, and reads code when it leaves the workspace). */
function namesakes(spec: ProgramSpec, option: OptionSpec): OptionSpec[] {
  const key = (o: OptionSpec) => `${o.short ?? ''}/${o.long?.join(',') ?? ''}`;
  return spec.options.filter((o) => o === option || key(o) === key(option));
}

function record(
  label: string,
  spelled: string,
  option: OptionSpec,
  value: ShellWord | undefined,
  separate: boolean,
  out: ReadCommand,
): void {
  if (!option.effect) return;
  if (option.arg === 'required' && separate && value === undefined) return;
  if (option.when && value?.value !== undefined && !option.when(value.value)) return;
  // `~/x` is a pattern to the shell, but one that can only mean the home directory.
  const known =
    value?.value !== undefined && (!value.pattern || value.value.startsWith('~')) ? value : undefined;
  out.findings.push({
    option: `${label} ${spelled}`,
    effect: option.effect,
    value: option.arg === 'none' ? undefined : known,
  });
}

/**
 * The option a long name means: the exact name, else (where the program takes abbreviations)
 * the options it is a prefix of. An ambiguous prefix is an error to the program; it is read as
 * the candidate with an effect, so the analysis never takes a dangerous option for a harmless one.
 */
function findLong(spec: ProgramSpec, written: string): OptionSpec | undefined {
  const same = (a: string, b: string) => (spec.ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b);
  // In the one-dash style a one-letter name (`go build -o`) is an option like any other.
  const exact = spec.options.find(
    (o) =>
      o.long?.some((l) => same(l, written)) ||
      (written.length === 1 && [...(o.short ?? '')].some((c) => same(c, written))),
  );
  if (exact || !spec.abbreviations || written === '') return exact;
  const candidates = spec.options.filter((o) => o.long?.some((l) => l.startsWith(written)));
  return candidates.find((o) => o.effect) ?? candidates[0];
}

function longName(option: OptionSpec, written: string): string {
  if (written.length === 1 && !option.long?.some((l) => l.toLowerCase() === written.toLowerCase()))
    return option.short?.includes(written) ? written : written.toLowerCase();
  return (
    option.long?.find((l) => l === written) ?? option.long?.find((l) => l.startsWith(written)) ?? written
  );
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
