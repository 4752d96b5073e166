import type { Node } from '@vscode/tree-sitter-wasm';
import type { BashParse } from './bash-parser.ts';
import { unwrap } from './command-wrappers.ts';
import { readCommand } from './program-options.ts';
import { EVALUATES, evaluatingArguments, evaluatingNode } from './shell-evaluation.ts';
import { display, literalWord, type ShellWord, wordOf } from './shell-words.ts';

/**
 * One simple command the program would run, a file it would write (a redirect's target, or a
 * file an option names), or a piece we could not analyse (always `ask`).
 */
export type ShellPart =
  | {
      kind: 'command';
      name: string;
      /** The command with each option spelled as its program reads it. */
      line: string;
    }
  | { kind: 'write'; path: string; line: string; via: string }
  /** An option that runs a program or code named on the command line: a person decides. */
  | { kind: 'runs'; line: string; reason: string }
  /** A command that starts in another directory (`cd`, `git -C`, `env -C`): relative writes move. */
  | { kind: 'moves'; line: string; reason: string }
  | { kind: 'unknown'; line: string; reason: string };

/** Redirect operators that open their target for writing; `>&` writes a file unless it names a descriptor. */
const WRITE_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>', '>&', '&>|']);
/** Builtins that move the working directory, after which a relative path means something else. */
const CHANGES_DIRECTORY = new Set(['cd', 'pushd', 'popd']);

/** Nesting of `sh -c "eval '…'"` and the like beyond this is not analysed: it is `ask`. */
const MAX_DEPTH = 8;

// Node types whose meaning we know. Children are always walked, so a command nested anywhere
// (a substitution in an assignment, a heredoc, a loop header) is still found; a type not listed
// here is a construct we did not think about, and is reported rather than trusted.
const KNOWN = new Set([
  'program',
  'list',
  'pipeline',
  'redirected_statement',
  'subshell',
  'compound_statement',
  'if_statement',
  'elif_clause',
  'else_clause',
  'for_statement',
  'c_style_for_statement',
  'while_statement',
  'do_group',
  'case_statement',
  'case_item',
  'function_definition',
  'negated_command',
  'test_command',
  'declaration_command',
  'unset_command',
  'variable_assignment',
  'variable_assignments',
  'command_name',
  'word',
  'string',
  'raw_string',
  'string_content',
  'ansi_c_string',
  'translated_string',
  'concatenation',
  'number',
  'simple_expansion',
  'expansion',
  'variable_name',
  'special_variable_name',
  'command_substitution',
  'process_substitution',
  'arithmetic_expansion',
  'binary_expression',
  'unary_expression',
  'ternary_expression',
  'postfix_expression',
  'parenthesized_expression',
  'subscript',
  'array',
  'brace_expression',
  'file_redirect',
  'heredoc_redirect',
  'herestring_redirect',
  'heredoc_start',
  'heredoc_body',
  'heredoc_content',
  'heredoc_end',
  'file_descriptor',
  'comment',
  'test_operator',
  'regex',
  'extglob_pattern',
]);

const REDIRECTS = new Set(['file_redirect', 'heredoc_redirect', 'herestring_redirect']);

/** Every simple command of a shell program, wrappers unwrapped, in source order. */
/** What the policy judges: a directory change only bears on the writes after it. */
export type JudgedPart = Exclude<ShellPart, { kind: 'moves' }>;

export function simpleCommands(parse: BashParse, source: string): JudgedPart[] {
  const parts: ShellPart[] = [];
  collectProgram(parse, source, parts, 0);
  // After `cd` (or `git -C`, `env -C`, `find -execdir`), `> out` may write anywhere: the walk does
  // not follow the working directory.
  const moved =
    parts.find((p) => p.kind === 'moves')?.reason ??
    (parts.some((p) => p.kind === 'command' && CHANGES_DIRECTORY.has(baseName(p.name)))
      ? 'the working directory changes'
      : undefined);
  const kept = parts.filter((p): p is JudgedPart => p.kind !== 'moves');
  if (moved === undefined) return kept;
  return kept.map((p) =>
    p.kind === 'write' && !p.path.startsWith('/')
      ? { kind: 'unknown', line: p.line, reason: `${p.via} writes ${p.path}, but ${moved}` }
      : p,
  );
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function collectProgram(parse: BashParse, source: string, parts: ShellPart[], depth: number): void {
  if (depth > MAX_DEPTH) {
    parts.push({ kind: 'unknown', line: source, reason: 'nested too deeply' });
    return;
  }
  const tree = parse(source);
  try {
    walk(tree.root, { parse, parts, depth });
  } finally {
    tree.dispose();
  }
}

interface Walk {
  parse: BashParse;
  parts: ShellPart[];
  depth: number;
}

function walk(node: Node, ctx: Walk): void {
  if (node.isError || node.isMissing) {
    const what = node.isMissing
      ? `missing ${node.type}`
      : `syntax error near ${JSON.stringify(node.text.slice(0, 40))}`;
    ctx.parts.push({
      kind: 'unknown',
      line: node.text || '(end of input)',
      reason: `${what} at ${position(node)}`,
    });
    return;
  }
  if (!node.isNamed) return;
  if (node.type === 'command') {
    commandNode(node, ctx);
    return;
  }
  if (node.type === 'file_redirect') redirect(node, ctx);
  if (!KNOWN.has(node.type)) {
    ctx.parts.push({ kind: 'unknown', line: node.text, reason: `unhandled shell construct ${node.type}` });
    return;
  }
  if (
    (node.type === 'word' || node.type === 'string_content' || node.type === 'heredoc_content') &&
    /`|\$\(/.test(node.text)
  ) {
    // The parser left a substitution unparsed (e.g. backticks inside ${x:-…}); bash would run it.
    ctx.parts.push({
      kind: 'unknown',
      line: node.text,
      reason: 'a command substitution the parser did not resolve',
    });
    return;
  }
  // Reported, and still walked: a command nested inside is judged on its own (a deny still wins).
  const evaluates = evaluatingNode(node);
  if (evaluates) ctx.parts.push({ kind: 'unknown', line: node.text, reason: `${EVALUATES}: ${evaluates}` });
  for (const child of node.children) if (child) walk(child, ctx);
}

/** A redirect that opens its target for writing is a file write for the policy. */
function redirect(node: Node, ctx: Walk): void {
  const operator = node.children.find((c) => c !== null && !c.isNamed)?.text ?? '';
  if (!WRITE_REDIRECTS.has(operator)) return;
  const target = node.namedChildren.find((c) => c !== null && c.type !== 'file_descriptor');
  if (!target) return;
  const word = wordOf(target);
  // `>&2` and `>&-` duplicate or close a descriptor.
  if (operator === '>&' && word.value !== undefined && /^(\d+|-)$/.test(word.value)) return;
  const home = word.value !== undefined && /^~/.test(word.value);
  if (word.value === undefined || (word.pattern && !home)) {
    ctx.parts.push({
      kind: 'unknown',
      line: node.text,
      reason: `the redirect target ${target.text} is only known at run time`,
    });
    return;
  }
  ctx.parts.push({ kind: 'write', path: word.value, line: node.text, via: `the redirect ${operator}` });
}

function position(node: Node): string {
  return `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

function commandNode(node: Node, ctx: Walk): void {
  const words: ShellWord[] = [];
  for (const child of node.children) {
    if (!child) continue;
    if (child.isError || child.isMissing || !child.isNamed) {
      walk(child, ctx);
      continue;
    }
    if (child.type === 'variable_assignment' || REDIRECTS.has(child.type)) {
      walk(child, ctx);
      continue;
    }
    const target = child.type === 'command_name' ? child.firstNamedChild : child;
    if (!target) continue;
    words.push(wordOf(target));
    // Substitutions inside the words run too: `echo $(curl x)`.
    walk(target, ctx);
  }
  if (words.length > 0) judgeWords(words, ctx);
}

/**
 * The command as its program reads it: the rules see each option spelled in full, and an option
 * that runs a program or code, or writes a file, is judged for what it does.
 */
function judgeOptions(name: string, base: string, args: ShellWord[], ctx: Walk): void {
  const read = readCommand(base, args);
  const line = [name, ...read.canonical.slice(1)].join(' ');
  ctx.parts.push({ kind: 'command', name, line });
  if (read.unknowable) ctx.parts.push({ kind: 'unknown', line, reason: read.unknowable });
  for (const finding of read.findings) {
    const value = finding.value?.value;
    const effect = finding.effect;
    if ('moves' in effect) {
      ctx.parts.push({ kind: 'moves', line, reason: `${finding.option} changes the directory` });
    } else if ('writes' in effect) {
      if (value === undefined)
        ctx.parts.push({
          kind: 'unknown',
          line,
          reason: `${finding.option} writes a file only known at run time`,
        });
      else ctx.parts.push({ kind: 'write', path: value, line, via: finding.option });
    } else if (effect.runs === 'program' && value !== undefined) {
      const words = value.split(/\s+/).filter(Boolean).map(literalWord);
      if (words.length === 0) continue;
      ctx.parts.push({
        kind: 'runs',
        line,
        reason: `${finding.option} runs ${value}, a program named on its command line`,
      });
      judgeWords(words, { ...ctx, depth: ctx.depth + 1 });
    } else if (effect.runs === 'command' && value !== undefined) {
      ctx.parts.push({
        kind: 'runs',
        line,
        reason: `${finding.option} runs the command ${JSON.stringify(value)}`,
      });
      collectProgram(ctx.parse, value, ctx.parts, ctx.depth + 1);
    } else {
      const what =
        value === undefined
          ? 'code or a program only known at run time'
          : `code given on its command line (${value})`;
      ctx.parts.push({ kind: 'runs', line, reason: `${finding.option} runs ${what}` });
    }
  }
}

function judgeWords(words: ShellWord[], ctx: Walk): void {
  const [name, ...args] = words as [ShellWord, ...ShellWord[]];
  const line = words.map(display).join(' ');
  if (name.value === undefined || name.pattern || name.value === '') {
    ctx.parts.push({ kind: 'unknown', line, reason: `the command name ${name.text} is not a literal word` });
    return;
  }
  const base = name.value.slice(name.value.lastIndexOf('/') + 1);
  const evaluates = evaluatingArguments(base, args);
  if (evaluates) ctx.parts.push({ kind: 'unknown', line, reason: `${EVALUATES}: ${evaluates}` });
  const inner = unwrap(base, args);
  if (inner.opaque) {
    ctx.parts.push({ kind: 'unknown', line, reason: inner.opaque });
    return;
  }
  if (inner.movesTo) ctx.parts.push({ kind: 'moves', line, reason: inner.movesTo });
  for (const file of inner.writes ?? [])
    ctx.parts.push(
      file.value === undefined || (file.pattern && !file.value.startsWith('~'))
        ? { kind: 'unknown', line, reason: `${base} writes a file only known at run time` }
        : { kind: 'write', path: file.value, line, via: `${base} -o` },
    );
  if (inner.self) judgeOptions(name.value, base, args, ctx);
  for (const command of inner.commands) {
    if (ctx.depth + 1 > MAX_DEPTH) ctx.parts.push({ kind: 'unknown', line, reason: 'nested too deeply' });
    else judgeWords(command, { ...ctx, depth: ctx.depth + 1 });
  }
  for (const script of inner.scripts) collectProgram(ctx.parse, script, ctx.parts, ctx.depth + 1);
}

export { literalWord };
