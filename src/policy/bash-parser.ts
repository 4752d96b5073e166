import { createRequire } from 'node:module';
import type { Node } from '@vscode/tree-sitter-wasm';

const require = createRequire(import.meta.url);

/** A parsed shell program: its root node, and `dispose()` to free the wasm memory it holds. */
export interface BashTree {
  root: Node;
  dispose(): void;
}

export type BashParse = (source: string) => BashTree;

// Loading the runtime and the grammar compiles two wasm modules (tens of milliseconds); the result
// is immutable, so one load per process is shared by every policy. The parser itself is not shared.
let language: Promise<unknown> | undefined;

function loadLanguage(): Promise<unknown> {
  language ??= (async () => {
    const { Parser, Language } = require('@vscode/tree-sitter-wasm');
    await Parser.init({
      locateFile: (file: string) => require.resolve(`@vscode/tree-sitter-wasm/wasm/${file}`),
    });
    return Language.load(require.resolve('@vscode/tree-sitter-wasm/wasm/tree-sitter-bash.wasm'));
  })();
  return language;
}

/** A bash parser (tree-sitter-bash). Each call makes its own parser over the shared grammar. */
export async function createBashParser(): Promise<BashParse> {
  const bash = await loadLanguage();
  const { Parser } = require('@vscode/tree-sitter-wasm');
  const parser = new Parser();
  parser.setLanguage(bash);
  return (source) => {
    const tree = parser.parse(source);
    if (!tree) throw new Error('the shell parser returned no tree');
    return { root: tree.rootNode, dispose: () => tree.delete() };
  };
}
