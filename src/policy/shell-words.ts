import type { Node } from '@vscode/tree-sitter-wasm';

/** One word of a simple command: as written, and its value when no expansion can change it. */
export interface ShellWord {
  text: string;
  /** The word after quote removal, when it is static; undefined when it expands at run time. */
  value: string | undefined;
  /** Unquoted glob or brace characters: the shell may turn the word into something else. */
  pattern: boolean;
}

/** The word a string stands for when the program builds it (a `sh -c` script, `eval` arguments). */
export function literalWord(value: string): ShellWord {
  return { text: value, value, pattern: false };
}

export function wordOf(node: Node): ShellWord {
  const value = staticValue(node);
  return { text: node.text, value, pattern: value !== undefined && hasPattern(node) };
}

/** What the word is shown and judged as: its value when static, else its text as written. */
export function display(word: ShellWord): string {
  return word.value ?? word.text;
}

function staticValue(node: Node): string | undefined {
  switch (node.type) {
    case 'word':
    case 'number':
      return unescapeUnquoted(node.text);
    case 'raw_string':
      return node.text.slice(1, -1);
    case 'string': {
      if (node.namedChildren.some((child) => child?.type !== 'string_content')) return undefined;
      // The text between the quotes, not the content nodes joined: the parser leaves line breaks
      // (and a lone `$`) out of them, and bash keeps both. An empty "" makes an empty word.
      return node.text.slice(1, -1).replace(/\\([$`"\\\n])/g, (_, c: string) => (c === '\n' ? '' : c));
    }
    case 'concatenation': {
      let value = '';
      for (const child of node.namedChildren) {
        const part = child ? staticValue(child) : undefined;
        if (part === undefined) return undefined;
        value += part;
      }
      return value;
    }
    default:
      // $x, ${x}, $(…), `…`, $((…)), $'…', $"…", {a,b}: known only when the program runs.
      return undefined;
  }
}

function unescapeUnquoted(text: string): string {
  return text.replace(/\\(\n|.)/g, (_, c: string) => (c === '\n' ? '' : c));
}

/** Unquoted `*`, `?`, `[`, `{…,…}` or a leading `~` in a word: expanded by the shell. */
function hasPattern(node: Node): boolean {
  if (node.type === 'word') return /(^|[^\\])([*?[]|\{.*,.*\})|^~/.test(node.text);
  if (node.type === 'concatenation') return node.namedChildren.some((c) => c !== null && hasPattern(c));
  return false;
}
