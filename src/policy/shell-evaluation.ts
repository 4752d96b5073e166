import type { Node } from '@vscode/tree-sitter-wasm';
import type { ShellWord } from './shell-words.ts';

/**
 * Places where bash evaluates a string as code a second time, after the analysis has read it as
 * inert text. An arithmetic context evaluates a variable's value as an expression, and an array
 * subscript in that value runs its command substitutions: `x='a[$(rm f)]'; echo $((x))` runs
 * `rm f`. So do `${x@P}`, `${!x}`, and builtins that take a variable name (`test -v`, `printf -v`,
 * `read`, `unset`, …). The analysis cannot follow the value, so each of these is `ask`.
 */
export const EVALUATES = 'bash would evaluate this; the analysis cannot follow it';

/** A variable name that evaluates nothing: `x`, or `a[3]` with a literal number for subscript. */
const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\[\d+\])?$/;
/** An arithmetic expression of literal numbers and operators only (`let`'s arguments). */
const LITERAL_ARITHMETIC = /^[\d\s+\-*/%()<>=!&|^~?:,]*$/;
const SUBSTITUTION = /`|\$\(/;
const ARITHMETIC_TEST = new Set(['-eq', '-ne', '-lt', '-le', '-gt', '-ge']);
const NAME_TEST = new Set(['-v', '-R']);
// Node types an arithmetic expression of literal numbers is made of.
const ARITHMETIC_SHAPE = new Set([
  'number',
  'binary_expression',
  'unary_expression',
  'ternary_expression',
  'postfix_expression',
  'parenthesized_expression',
]);

/**
 * Environment that changes what a program runs or loads: `PATH=. ls` runs `./ls`, and
 * `NODE_OPTIONS=--require=x node --test` is the `node --require` the policy asks about.
 */
const PROGRAM_ENVIRONMENT = new RegExp(
  `^(${[
    // Shells and the dynamic loader.
    // BASH_CMDS maps a command's name to the program bash runs for it; BASH_ALIASES likewise.
    'PATH|BASH_[A-Z_]*|ENV|SHELLOPTS|BASHOPTS|PROMPT_COMMAND|PS4|IFS|CDPATH|GLOBIGNORE|LD_[A-Z_]*',
    // glibc: charset converters and locales load shared objects; tunables and resolver files.
    'GCONV_PATH|LOCPATH|NLSPATH|GLIBC_TUNABLES|MALLOC_[A-Z_]*|HOSTALIASES|RES_OPTIONS|LOCALDOMAIN|TZDIR',
    // Where programs put their temporary files, and how GNU tools read their options.
    'TMPDIR|TMP|TEMP|POSIXLY_CORRECT',
    // Language runtimes: options, module paths, caches and coverage output.
    'NODE_[A-Z0-9_]*|PYTHON[A-Z_]*|PERL5OPT|PERL5LIB|PERLLIB|RUBYOPT|RUBYLIB|GEM_[A-Z_]*|BUNDLE_[A-Z_]*',
    'JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|CLASSPATH|DOTNET_[A-Z_]*|COMPlus_[A-Za-z_]*',
    'LUA_PATH|LUA_CPATH|TCLLIBPATH|PHPRC|PHP_INI_SCAN_DIR|OPENSSL_CONF|OPENSSL_ENGINES|OPENSSL_MODULES',
    // Build and test tools.
    'GO(?!OS$|ARCH$|ARM$|AMD64$|386$|MAXPROCS$)[A-Z0-9_]*|CGO_[A-Z_]*|GCCGO|MAKEFLAGS|GNUMAKEFLAGS|MFLAGS|MAKEFILES|MAKELEVEL',
    'RUSTC|RUSTDOC|RUSTC_[A-Z_]*|RUSTFLAGS|RUSTDOCFLAGS|CARGO_[A-Z_]*|CC|CXX|CPP|LD|AR|AS|FC|CFLAGS|LDFLAGS',
    'PYTEST_ADDOPTS|PYTEST_PLUGINS|RIPGREP_CONFIG_PATH|GIT_[A-Z_]*',
    // Programs that other programs start, and where they read their configuration.
    'PAGER|MANPAGER|EDITOR|VISUAL|BROWSER|SHELL|LESSOPEN|LESSCLOSE|LESSKEY|INPUTRC|TERMINFO|SSH_ASKPASS|SUDO_ASKPASS',
    'HOME|XDG_CONFIG_HOME|XDG_CONFIG_DIRS|XDG_DATA_HOME|XDG_DATA_DIRS|XDG_CACHE_HOME|XDG_RUNTIME_DIR',
  ].join('|')})$`,
);

/**
 * Environment that changes where a package tool fetches from, or what it runs when installing:
 * `npm_config_registry=… npm install x` installs another registry's x; `PIP_INDEX_URL`,
 * `UV_INDEX_URL`, `GOPROXY`, `CARGO_REGISTRIES_*` alike; `npm_config_ignore_scripts=false` turns
 * install scripts back on.
 */
const PACKAGE_ENVIRONMENT =
  /^(npm_config_\w+|NPM_CONFIG_\w+|YARN_\w+|BUN_CONFIG_\w+|PNPM_\w+|PIP_\w+|UV_\w+|PIPX_\w+|POETRY_\w+|PDM_\w+|PIPENV_\w+|GOPROXY|GONOPROXY|GOSUMDB|GONOSUMDB|GONOSUMCHECK|GOPRIVATE|GOINSECURE|GOFLAGS|CARGO_\w+|RUSTUP_\w+)$/;

/** npm reads its configuration from the environment in any letter case, and $PREFIX/etc/npmrc. */
const NPM_ENVIRONMENT = /^(npm_config_\w+|PREFIX)$/i;

/**
 * Why setting (or un-exporting) this variable is worth a question; undefined if it is not.
 * `GIT_CONFIG_GLOBAL[0]=x` makes it an array, which bash does not export: the same as unsetting.
 */
function environmentChange(written: string): string | undefined {
  const name = written.replace(/\[.*$/, '');
  if (PROGRAM_ENVIRONMENT.test(name)) return `${name} changes what a program runs`;
  if (PACKAGE_ENVIRONMENT.test(name) || NPM_ENVIRONMENT.test(name))
    return `${name} changes where packages come from, or what installing runs`;
  return undefined;
}

/** Why this node makes bash evaluate text the analysis treats as inert; undefined if it does not. */
export function evaluatingNode(node: Node): string | undefined {
  switch (node.type) {
    case 'expansion': {
      // `${NODE_OPTIONS:=--require=x}` assigns as much as `NODE_OPTIONS=…` does.
      const assigned = /^\$\{([A-Za-z_][A-Za-z0-9_]*):?=/.exec(node.text)?.[1];
      const change = assigned === undefined ? undefined : environmentChange(assigned);
      return change ?? expansion(node);
    }
    case 'for_statement': {
      // `for GIT_CONFIG_GLOBAL in /tmp/x; do git diff; done` sets the variable for the body.
      const variable = node.childForFieldName('variable')?.text ?? '';
      return environmentChange(variable);
    }
    case 'arithmetic_expansion':
      // `$((…))`, `$[…]` and the `((…))` command alike.
      return node.namedChildren.every((c) => c !== null && literalArithmetic(c))
        ? undefined
        : `arithmetic on a value that is not a literal number: ${node.text}`;
    case 'c_style_for_statement': {
      const header = node.namedChildren.filter(
        (c): c is Node => c !== null && c.type !== 'do_group' && c.type !== 'compound_statement',
      );
      return header.every(literalArithmetic) ? undefined : 'arithmetic on variables in a for ((…)) header';
    }
    case 'subscript': {
      const index = node.namedChildren[1];
      if (!index) return undefined;
      return literalArithmetic(index) || /^[@*]$/.test(index.text)
        ? undefined
        : `an array subscript is arithmetic: ${node.text}`;
    }
    case 'test_command':
      return testCommand(node);
    case 'declaration_command':
      return declaration(node);
    case 'unset_command': {
      const names = node.namedChildren.filter((c): c is Node => c !== null && !c.text.startsWith('-'));
      const changed = names.map((c) => environmentChange(staticText(c) ?? '')).find(Boolean);
      if (changed) return `unset: ${changed}`;
      return names.every((c) => PLAIN_NAME.test(staticText(c) ?? ''))
        ? undefined
        : 'unset of a name that is not plain';
    }
    case 'heredoc_redirect':
      return heredoc(node);
    case 'variable_assignment': {
      return environmentChange(node.namedChildren[0]?.text ?? '');
    }
    default:
      return undefined;
  }
}

/** Why a simple command's builtin would evaluate one of its arguments; undefined if none does. */
export function evaluatingArguments(name: string, args: ShellWord[]): string | undefined {
  const values = args.map((w) => w.value);
  const plain = (v: string | undefined) => v !== undefined && PLAIN_NAME.test(v);
  switch (name) {
    case 'env': {
      // Clearing the environment or a variable removes what the sandbox set (GIT_CONFIG_GLOBAL…).
      for (const [i, v] of values.entries()) {
        if (v === undefined || !v.startsWith('-') || v === '--') break;
        if (/^(-i|--ignore-environment|-)$/.test(v) || /^-[a-zA-Z]*i/.test(v))
          return 'env -i clears the environment the sandbox set';
        const unset = v === '-u' || v === '--unset' ? values[i + 1] : /^(-u|--unset=)(.+)$/.exec(v)?.[2];
        if (unset !== undefined && environmentChange(unset)) return `env -u ${environmentChange(unset)}`;
        if ((v === '-u' || v === '--unset') && values[i + 1] === undefined)
          return 'env -u of a name only known at run time';
      }
      const set = values.find((v) => v?.includes('=') && environmentChange(v.split('=')[0] ?? ''));
      return set ? environmentChange(set.split('=')[0] ?? '') : undefined;
    }
    case 'let':
      return values.every((v) => v !== undefined && LITERAL_ARITHMETIC.test(v))
        ? undefined
        : 'let evaluates its arguments as arithmetic';
    case 'test':
    case '[':
      // `-eq` and friends of test and [ read integers only (unlike [[ ]]); -v evaluates a subscript.
      return values.some((v, i) => v !== undefined && NAME_TEST.has(v) && !plain(values[i + 1]))
        ? `${name} -v of a name that is not plain`
        : undefined;
    case 'printf': {
      const first = values[0];
      if (first === undefined && (args[0]?.text.startsWith('-v') || (args.length > 1 && !plain(values[1]))))
        return 'printf with a dynamic first argument (it may be -v)';
      if (first === '-v') return plain(values[1]) ? undefined : 'printf -v of a name that is not plain';
      if (first?.startsWith('-v'))
        return plain(first.slice(2)) ? undefined : 'printf -v of a name that is not plain';
      return undefined;
    }
    case 'read':
      return names(values, ['-a'], ['-d', '-i', '-n', '-N', '-p', '-t', '-u'], []);
    case 'mapfile':
    case 'readarray':
      // -C names a callback that bash evaluates for each line.
      return names(values, [], ['-d', '-n', '-O', '-s', '-u', '-c'], ['-C']);
    case 'declare':
    case 'typeset':
    case 'local':
    case 'export':
    case 'readonly':
    case 'unset': {
      // `unset GIT_CONFIG_GLOBAL` takes away what the sandbox set as much as setting it would.
      const changed =
        name === 'unset' ? values.find((v) => v !== undefined && environmentChange(v)) : undefined;
      if (changed !== undefined) return `unset: ${environmentChange(changed)}`;
      return values.every(
        (v) => v !== undefined && (/^[-+][A-Za-z]*$/.test(v) ? !/[in]/.test(v) : plain(v.split('=')[0])),
      )
        ? undefined
        : `${name} of a name that is not plain, or with -i or -n`;
    }
    default:
      return undefined;
  }
}

/** Options of read/mapfile: those naming a variable, those with an inert value, those that evaluate. */
function names(values: (string | undefined)[], naming: string[], inert: string[], evaluating: string[]) {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined) return 'a dynamic argument where a variable name may be';
    if (!v.startsWith('-') || v === '-') {
      if (!PLAIN_NAME.test(v)) return `the variable name ${v} is not plain`;
      continue;
    }
    const option = v.slice(0, 2);
    if (evaluating.includes(option)) return `${option} names code bash evaluates`;
    const attached = v.length > 2 ? v.slice(2) : undefined;
    if (naming.includes(option)) {
      const name = attached ?? values[++i];
      if (name === undefined || !PLAIN_NAME.test(name))
        return `the variable name ${name ?? '(dynamic)'} is not plain`;
    } else if (inert.includes(option) && attached === undefined) i++;
  }
  return undefined;
}

function literalArithmetic(node: Node): boolean {
  if (node.type === 'word') return /^(\d+|0[xX][0-9a-fA-F]+)$/.test(node.text);
  if (!ARITHMETIC_SHAPE.has(node.type)) return false;
  return node.namedChildren.every((c) => c !== null && literalArithmetic(c));
}

function expansion(node: Node): string | undefined {
  const text = node.text;
  // ${x@P} expands the value as a prompt string, which runs its command substitutions.
  if (/@P\}$/.test(text)) return `\${…@P} runs the value: ${text}`;
  // ${!x} uses the value as a variable name, subscript included; ${!a[@]} and ${!pre*} only list names.
  if (text.startsWith('${!') && !/^\$\{![A-Za-z_][A-Za-z0-9_]*(\[[@*]\]|[@*])\}$/.test(text))
    return `indirect expansion: ${text}`;
  // ${x:offset:length}: both are arithmetic. The parser reads `${x:$n}` badly, so go by the text.
  const substring = /^\$\{#?[A-Za-z_0-9@*#?$!-][A-Za-z_0-9]*(\[[^\]]*\])?:(?![-=?+])/.exec(text);
  if (substring && !/^[\d\s:()+-]*\}$/.test(text.slice(substring[0].length)))
    return `a substring offset is arithmetic: ${text}`;
  return undefined;
}

function testCommand(node: Node): string | undefined {
  const doubleBracket = node.text.startsWith('[[');
  const pending: Node[] = [node];
  while (pending.length > 0) {
    const n = pending.pop() as Node;
    const operator = n.namedChildren.find((c) => c?.type === 'test_operator')?.text;
    if (operator && n.type === 'unary_expression' && NAME_TEST.has(operator)) {
      const operand = n.namedChildren.find((c) => c?.type !== 'test_operator');
      if (!operand || !PLAIN_NAME.test(staticText(operand) ?? ''))
        return `${operator} of a name that is not plain`;
    }
    if (operator && doubleBracket && n.type === 'binary_expression' && ARITHMETIC_TEST.has(operator)) {
      const operands = n.namedChildren.filter((c): c is Node => c !== null && c.type !== 'test_operator');
      if (!operands.every((c) => /^-?\d+$/.test(staticText(c) ?? '')))
        return `[[ ${operator} ]] evaluates its operands as arithmetic`;
    }
    for (const c of n.namedChildren) if (c) pending.push(c);
  }
  return undefined;
}

function declaration(node: Node): string | undefined {
  const children = node.namedChildren.filter((c): c is Node => c !== null);
  const flags = children.filter((c) => /^[-+][A-Za-z]+$/.test(c.text)).map((c) => c.text);
  if (flags.some((f) => f.includes('n'))) return `a name reference: ${node.text}`;
  const integer = flags.some((f) => f.includes('i'));
  for (const c of children) {
    if (/^[-+][A-Za-z]+$/.test(c.text)) continue;
    if (c.type === 'variable_assignment') {
      const value = c.namedChildren[1];
      if (integer && value && !literalArithmetic(value)) return `an integer variable evaluates ${value.text}`;
      continue;
    }
    // A name given as a word or string: `declare 'a[$(…)]=1'` evaluates the subscript.
    const text = staticText(c);
    // `declare +x GIT_CONFIG_GLOBAL` stops exporting what the sandbox set.
    const changed = text === undefined ? undefined : environmentChange(text.split('=')[0] ?? '');
    if (changed) return `${node.text.split(/\s/)[0]}: ${changed}`;
    if (text === undefined || !PLAIN_NAME.test(text.split('=')[0] ?? '') || (integer && text.includes('=')))
      return `a variable name that is not plain: ${c.text}`;
  }
  return undefined;
}

/** An unquoted heredoc body is expanded like a "…" string; the parser misses backticks in it. */
function heredoc(node: Node): string | undefined {
  const start = node.namedChildren.find((c) => c?.type === 'heredoc_start');
  if (!start || /['"\\]/.test(start.text)) return undefined;
  const body = node.namedChildren.find((c) => c?.type === 'heredoc_body');
  if (!body) return undefined;
  // The text the parser did not turn into nodes of their own, which the walk judges.
  let rest = '';
  let at = body.startIndex;
  for (const c of body.namedChildren) {
    if (!c || c.type === 'heredoc_content') continue;
    rest += `${body.text.slice(at - body.startIndex, c.startIndex - body.startIndex)} `;
    at = c.endIndex;
  }
  rest += body.text.slice(at - body.startIndex);
  return SUBSTITUTION.test(rest) || rest.includes('$[')
    ? 'a command substitution in a heredoc the parser did not resolve'
    : undefined;
}

/** The value of a word, raw string or "…" string without expansions; undefined otherwise. */
function staticText(node: Node): string | undefined {
  if (node.type === 'word' || node.type === 'number' || node.type === 'variable_name')
    return node.text.replace(/\\(.)/g, '$1');
  if (node.type === 'raw_string') return node.text.slice(1, -1);
  if (node.type === 'string' && node.namedChildren.every((c) => c?.type === 'string_content'))
    return node.text.slice(1, -1);
  return undefined;
}
