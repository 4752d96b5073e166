import type { BashParse } from './bash-parser.ts';
import { wordOf } from './shell-words.ts';

const WORDS = new Set(['word', 'raw_string', 'string', 'number', 'concatenation']);

/**
 * The argv of a program that is exactly one simple command made of literal words — no expansion,
 * glob, redirection, assignment, comment, operator or second command — else undefined. Only such a
 * program means the same to Warden as to bash, so only it may be carried out by Warden itself
 * (the broker's `git push`) instead of by bash in the sandbox.
 */
export function plainCommand(parse: BashParse, source: string): string[] | undefined {
  const tree = parse(source);
  try {
    const { root } = tree;
    const [command, ...rest] = root.children;
    if (root.hasError || rest.length > 0 || command?.type !== 'command') return undefined;
    const words: string[] = [];
    for (const child of command.children) {
      const target = child?.type === 'command_name' ? child.firstNamedChild : child;
      if (!target || !WORDS.has(target.type)) return undefined;
      const word = wordOf(target);
      // Brace expansion turns one unquoted word into several; the word parser does not flag it.
      const braces = target.type !== 'raw_string' && target.type !== 'string' && /[{}]/.test(target.text);
      if (word.value === undefined || word.pattern || braces) return undefined;
      words.push(word.value);
    }
    return words.length > 0 ? words : undefined;
  } finally {
    tree.dispose();
  }
}
