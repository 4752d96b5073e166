import { isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type parseDocument } from 'yaml';

/**
 * Where a key path sits in a parsed YAML (or JSON) document, as `FILE:LINE:COL`: the key's own line
 * when it exists, else its parent's — so an error about a config or suite file points at the line.
 */
export function yamlLocator(file: string, doc: ReturnType<typeof parseDocument>, lines: LineCounter) {
  return (path: readonly PropertyKey[]): string => {
    let node: unknown = doc.contents;
    let offset = (doc.contents as Node | null)?.range?.[0] ?? 0;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
        if (pair === undefined) break;
        offset = (pair.key as Node).range?.[0] ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number' && node.items[key] !== undefined) {
        node = node.items[key];
        offset = (node as Node).range?.[0] ?? offset;
      } else break;
    }
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
}
