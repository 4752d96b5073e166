import type { ShellWord } from './shell-words.ts';

/**
 * `sh -c 'script' arg0 arg1…` gives the script its arguments as `$0`, `$1`…, `"$@"`: the script
 * alone is not what runs. `bash -c 'find "$@"' _ . -exec curl x \;` runs `find . -exec curl x`,
 * so the arguments are put where the script reads them before it is judged, or, when that
 * cannot be done with certainty, the whole is opaque (`ask`).
 */
export type ScriptWithArguments = { script: string } | { opaque: string };

/** The references we substitute: `$0`…`$9`, `${N}`, `$@`, `$*`, `${@}`, `${*}`. */
const REFERENCE = /"\$\{?@\}?"|\$(?:[0-9@*]|\{(?:[0-9]+|[@*])\})/g;
/** Any use of the arguments, including the forms we do not follow (`${1:-x}`, `${@:2}`, `${#1}`). */
const ANY_REFERENCE = /\$(?:[0-9@*]|\{[#!]?[0-9@*])/;
/** `for a; do` and `for a do` loop over "$@" without naming it. */
const IMPLICIT_LOOP = /\bfor\s+[A-Za-z_]\w*\s*(;|\n|do\b)/;
/** Builtins that move or replace the arguments, and functions, whose `$1` is their own. */
const RESHAPES = /(^|[^\w-])(shift|set|getopts|function)(?![\w-])|\(\s*\)/;
/**
 * A word that means the same wherever it lands in a script: quoted or not, it splits into
 * nothing, globs nothing, separates nothing.
 */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function withArguments(kind: string, script: string, args: ShellWord[]): ScriptWithArguments {
  const loops = IMPLICIT_LOOP.test(script);
  // Without arguments, `$1` and `"$@"` are empty and `$0` is the shell's name: judged as written.
  if ((!ANY_REFERENCE.test(script) && !loops) || args.length === 0) return { script };
  if (loops) return { opaque: `${kind}: the script loops over its arguments` };
  if (RESHAPES.test(script))
    return { opaque: `${kind}: the script shifts, resets or passes on its arguments` };
  const unplain = args.find((w) => w.value === undefined || w.pattern || !PLAIN.test(w.value));
  if (unplain)
    return {
      opaque: `${kind}: the script reads its arguments, and ${unplain.text || "''"} is not a plain word`,
    };
  if (ANY_REFERENCE.test(script.replace(REFERENCE, '')))
    return { opaque: `${kind}: the script reads its arguments in a way the analysis does not follow` };
  const [zero = '', ...rest] = args.map((w) => w.value as string);
  return {
    script: script.replace(REFERENCE, (reference) => {
      const key = reference.replace(/["${}]/g, '');
      if (key === '@' || key === '*') return rest.join(' ');
      const n = Number(key);
      return n === 0 ? zero : (rest[n - 1] ?? '');
    }),
  };
}
