import { withArguments } from './shell-arguments.ts';
import { literalWord, type ShellWord } from './shell-words.ts';
import { OPAQUE_RUNNERS, type OptionSpec, SIMPLE_WRAPPERS } from './wrapper-options.ts';

/**
 * What a command really runs. Wrappers (`env`, `timeout`, `xargs`, `sh -c`, …) run another
 * command, so the rules must judge that one: `timeout 5 curl x` is `curl x` to the policy.
 */
export interface Unwrapped {
  /** Judge the command itself too (sudo, find), or only what it runs. */
  self: boolean;
  commands: ShellWord[][];
  /** Program text it runs (`sh -c`, `eval`, `env -S`): parsed and judged in turn. */
  scripts: string[];
  /** Set when the wrapper's arguments could not be read with certainty: the part is `ask`. */
  opaque?: string;
  /** What the wrapper runs starts in another directory (`env -C`, `find -execdir`): why. */
  movesTo?: string;
  /** Files the wrapper itself writes (`time -o FILE`). */
  writes?: ShellWord[];
}

/** Wrappers whose `-o FILE` is a file they write (the judged write, besides what they run). */
const WRITES_WITH_O = new Set(['time', 'strace', 'ltrace']);

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'mksh']);
const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);

const NOT_A_WRAPPER: Unwrapped = { self: true, commands: [], scripts: [] };

export function unwrap(name: string, args: ShellWord[]): Unwrapped {
  if (SHELLS.has(name)) return unwrapShell(args);
  // With no arguments they read the commands from their input (`echo curl x | parallel`).
  if (name in OPAQUE_RUNNERS) return opaque(OPAQUE_RUNNERS[name] as string);
  if (name === 'watch') return unwrapWatch(args);
  if (name === 'eval') return unwrapEval(args);
  if (name === 'find') return unwrapFind(args);
  const spec = SIMPLE_WRAPPERS[name];
  if (!spec) return NOT_A_WRAPPER;
  return unwrapWithOptions(name, spec, args);
}

function opaque(reason: string): Unwrapped {
  return { self: true, commands: [], scripts: [], opaque: reason };
}

function unwrapWithOptions(name: string, spec: OptionSpec, args: ShellWord[]): Unwrapped {
  let i = 0;
  const scripts: string[] = [];
  const writes: ShellWord[] = [];
  let movesTo: string | undefined;
  let replaces = false;
  for (; i < args.length; i++) {
    const word = args[i] as ShellWord;
    const arg = word.value;
    if (arg === undefined) {
      // A dynamic word where an option could be: we cannot know what runs.
      if (i === 0 || args[i - 1]?.value?.startsWith('-'))
        return opaque(`${name}: dynamic argument ${word.text}`);
      break;
    }
    if (arg === '--') {
      i++;
      break;
    }
    if (name === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(arg)) continue;
    if (name === 'nice' && /^-\d+$/.test(arg)) continue;
    if (name === 'env' && (arg === '-S' || arg.startsWith('--split-string') || /^-S./.test(arg))) {
      const inline = arg.startsWith('--split-string=')
        ? arg.slice(15)
        : arg.startsWith('-S')
          ? arg.slice(2)
          : '';
      const script = inline || args[++i]?.value;
      if (script === undefined) return opaque('env -S: dynamic string');
      const rest = args.slice(i + 1).map((w) => w.value);
      if (rest.some((v) => v === undefined)) return opaque('env -S: dynamic argument');
      scripts.push([script, ...(rest as string[])].join(' '));
      return { self: false, commands: [], scripts };
    }
    if (!arg.startsWith('-') || (arg === '-' && name !== 'env')) break;
    if (arg === '-' && name === 'env') continue;
    const eq = arg.indexOf('=');
    const option = eq > 0 ? arg.slice(0, eq) : arg;
    if (option === '-I' || option === '-i' || option === '--replace') replaces = true;
    if (spec.withValue.includes(option)) {
      const value = eq < 0 ? args[++i] : { ...word, value: arg.slice(eq + 1) };
      if (name === 'env' && (option === '-C' || option === '--chdir'))
        movesTo = `env ${option} changes the directory`;
      if (WRITES_WITH_O.has(name) && (option === '-o' || option === '--output') && value) writes.push(value);
      continue;
    }
    if (spec.script?.includes(option)) {
      const value = eq < 0 ? args[++i]?.value : arg.slice(eq + 1);
      if (value === undefined) return opaque(`${name} ${option}: the script is dynamic or missing`);
      scripts.push(value);
      continue;
    }
    if (spec.flags.includes(option)) continue;
    // Short option with its value attached (`-n5`, `-uroot`, `-I{}`).
    const short = arg.slice(0, 2);
    if (/^-[A-Za-z]./.test(arg) && spec.withValue.includes(short)) {
      if (short === '-I') replaces = true;
      if (name === 'env' && short === '-C') movesTo = 'env -C changes the directory';
      if (WRITES_WITH_O.has(name) && short === '-o') writes.push({ ...word, value: arg.slice(2) });
      continue;
    }
    // Grouped short flags (`-rt`, `-Ei`).
    if (/^-[A-Za-z]+$/.test(arg) && [...arg.slice(1)].every((c) => spec.flags.includes(`-${c}`))) continue;
    return opaque(`${name}: unknown option ${arg}`);
  }
  const before = name === 'timeout' ? 1 : (spec.before ?? 0);
  if (before > 0 && scripts.length === 0) {
    // The duration, priority, mask, lock file or root comes before the command.
    if (i + before > args.length) return opaque(`${name}: too few arguments`);
    i += before;
    // `flock FILE -c SCRIPT`: the script option may follow the lock file.
    const option = args[i]?.value;
    if (option !== undefined && spec.script?.includes(option)) {
      const script = args[i + 1]?.value;
      if (script === undefined) return opaque(`${name} ${option}: the script is dynamic or missing`);
      return { self: false, commands: [], scripts: [script] };
    }
  }
  if (scripts.length > 0) return { self: false, commands: [], scripts };
  const inner = args.slice(i);
  if (name === 'xargs' && replaces && runsScript(inner))
    return opaque('xargs -I puts its input into a shell script');
  if (name === 'xargs') {
    // xargs runs echo when given nothing, and appends what it reads unless -I places it.
    const command = inner.length > 0 ? inner : [literalWord('echo')];
    // What it appends is read at run time: a dynamic word, so a shell's `-c` never takes it for a script.
    const input: ShellWord = { text: '{}', value: undefined, pattern: false };
    return { self: false, commands: [replaces ? command : [...command, input]], scripts };
  }
  const extra = { ...(movesTo ? { movesTo } : {}), ...(writes.length ? { writes } : {}) };
  if (inner.length === 0) return { ...NOT_A_WRAPPER, ...extra };
  return { self: name === 'sudo' || name === 'doas', commands: [inner], scripts, ...extra };
}

/** `watch CMD…` joins its words into a shell script; with `-x` it runs them as a command. */
function unwrapWatch(args: ShellWord[]): Unwrapped {
  let exec = false;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]?.value;
    if (arg === undefined) return opaque(`watch: dynamic argument ${args[i]?.text}`);
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-')) break;
    if (arg === '-x' || arg === '--exec') exec = true;
    else if (arg === '-n' || arg === '--interval' || arg === '-q' || arg === '--equexit') i++;
    else if (
      !/^(-[bcCegtwpr]+|-d|--differences(=\S*)?|--interval=\S+|-n\S+|--equexit=\S+|--beep|--color|--no-color|--errexit|--chgexit|--no-title|--no-wrap|--precise|--no-rerun)$/.test(
        arg,
      )
    )
      return opaque(`watch: unknown option ${arg}`);
  }
  const inner = args.slice(i);
  if (inner.length === 0) return NOT_A_WRAPPER;
  if (exec) return { self: false, commands: [inner], scripts: [] };
  const words = inner.map((w) => w.value);
  if (words.some((v) => v === undefined)) return opaque('watch: a dynamic word in its command');
  return { self: false, commands: [], scripts: [words.join(' ')] };
}

/** `sh -c 'script' [arg0 args…]`: the script is a program; without -c the shell runs a file or stdin. */
function unwrapShell(args: ShellWord[]): Unwrapped {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]?.value;
    if (arg === undefined) return opaque(`shell option ${args[i]?.text} is dynamic`);
    if (arg === '--' || !/^[-+]/.test(arg)) return NOT_A_WRAPPER;
    if (arg === '-o' || arg === '+o' || arg === '-O' || arg === '+O') {
      i++;
      continue;
    }
    if (/^-[A-Za-z]*c[A-Za-z]*$/.test(arg)) {
      const at = args.findIndex((w, j) => j > i && (!(w.value ?? '').startsWith('-') || w.value === '-'));
      const script = args[at];
      if (!script) return opaque('shell -c without a script');
      if (script.value === undefined) return opaque(`shell -c script is dynamic: ${script.text}`);
      const given = withArguments('shell -c', script.value, args.slice(at + 1));
      if ('opaque' in given) return opaque(given.opaque);
      return { self: false, commands: [], scripts: [given.script] };
    }
  }
  return NOT_A_WRAPPER;
}

function unwrapEval(args: ShellWord[]): Unwrapped {
  if (args.length === 0) return NOT_A_WRAPPER;
  const values = args.map((w) => w.value);
  if (values.some((v) => v === undefined)) return opaque('eval of a dynamic string');
  return { self: false, commands: [], scripts: [values.join(' ')] };
}

/** `find … -exec cmd … ;` runs cmd for each file; find itself is judged too. */
function unwrapFind(args: ShellWord[]): Unwrapped {
  const commands: ShellWord[][] = [];
  let movesTo: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]?.value;
    if (arg === undefined || !FIND_EXEC.has(arg)) continue;
    // `+` ends the command only right after `{}`; anywhere else it is an argument, as find reads it.
    const end = args.findIndex(
      (w, j) => j > i && (w.value === ';' || (w.value === '+' && args[j - 1]?.value === '{}')),
    );
    if (end < 0) return opaque(`find ${arg} without ; or +`);
    const inner = args.slice(i + 1, end);
    if (inner.length === 0) return opaque(`find ${arg} without a command`);
    // find puts each file name wherever `{}` occurs, inside a script too: a name is then code.
    if (runsScript(inner) && inner.some((w) => w.value?.includes('{}')))
      return opaque(`find ${arg} puts file names into a shell script`);
    commands.push(inner);
    if (arg === '-execdir' || arg === '-okdir') movesTo = `find ${arg} runs in each file's directory`;
    i = end;
  }
  return { self: true, commands, scripts: [], ...(movesTo ? { movesTo } : {}) };
}

/** A command that runs program text (a shell, eval, env): what is put in its words is code. */
function runsScript(command: ShellWord[]): boolean {
  const name = command[0]?.value;
  if (name === undefined) return true;
  const base = name.slice(name.lastIndexOf('/') + 1);
  return SHELLS.has(base) || base === 'eval' || base === 'env';
}
