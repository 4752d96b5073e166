/**
 * One Aho-Corasick pass over a text for many lower-case ASCII keywords at once, case-insensitive.
 * The automaton is compiled to a dense table over the keywords' own alphabet (every other
 * character is one class), with the next state's row offset stored premultiplied and states that
 * end a keyword stored negated, so the scan is one table load and one sign test per character.
 * Measured on the bench's 8 MB corpus with ~400 keywords: ~600 MB/s, against ~270 MB/s for one
 * case-insensitive alternation regex (which also misses keywords that overlap a match, so it
 * cannot say every rule whose keyword occurs) and ~15 MB/s for modern-ahocorasick, whose
 * grapheme-aware matching segments the text first.
 */
/** Below this, one loop: the split's bookkeeping is not worth it. */
const INTERLEAVE_FROM = 4096;

export interface KeywordIndex<T> {
  /** Calls `visit` with the values of every keyword ending at `end` (exclusive), in text order. */
  scan(text: string, visit: (values: readonly T[], end: number) => void): void;
}

export function keywordIndex<T>(
  entries: ReadonlyArray<readonly [keyword: string, value: T]>,
): KeywordIndex<T> {
  const classOf = new Uint8Array(65536);
  let classes = 1;
  for (const [keyword] of entries) {
    if (!/^[\x20-\x7e]+$/.test(keyword) || keyword !== keyword.toLowerCase())
      throw new Error(
        `secret rule keyword ${JSON.stringify(keyword)}: keywords are lower-case printable ASCII`,
      );
    for (let i = 0; i < keyword.length; i++) {
      const c = keyword.charCodeAt(i);
      if (!classOf[c]) classOf[c] = classes++;
    }
  }
  if (classes > 255) throw new Error('secret rule keywords use more than 254 distinct characters');
  for (let c = 65; c <= 90; c++) classOf[c] = classOf[c + 32] ?? 0;

  // The trie, then breadth-first failure links folded into a complete transition table.
  const trie: number[][] = [[]];
  const found: T[][] = [[]];
  for (const [keyword, value] of entries) {
    let state = 0;
    for (let i = 0; i < keyword.length; i++) {
      const c = classOf[keyword.charCodeAt(i)] ?? 0;
      const row = trie[state] as number[];
      let next = row[c];
      if (next === undefined) {
        next = trie.length;
        row[c] = next;
        trie.push([]);
        found.push([]);
      }
      state = next;
    }
    (found[state] as T[]).push(value);
  }
  const states = trie.length;
  const next = new Int32Array(states * classes);
  const fail = new Int32Array(states);
  const queue: number[] = [];
  for (let c = 1; c < classes; c++) {
    const child = trie[0]?.[c];
    if (child !== undefined) {
      next[c] = child;
      queue.push(child);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head] as number;
    const inherited = found[fail[state] as number] as T[];
    if (inherited.length) found[state] = [...new Set([...(found[state] as T[]), ...inherited])];
    for (let c = 1; c < classes; c++) {
      const child = trie[state]?.[c];
      const viaFail = next[(fail[state] as number) * classes + c] as number;
      if (child !== undefined) {
        fail[child] = viaFail;
        next[state * classes + c] = child;
        queue.push(child);
      } else next[state * classes + c] = viaFail;
    }
  }
  // Rows renumbered breadth-first: the shallow states, where scanning spends nearly all its time,
  // sit together at the top of the table instead of scattered through it.
  const order = [0, ...queue];
  const renumbered = new Int32Array(states);
  order.forEach((state, n) => {
    renumbered[state] = n;
  });
  const table = new Int32Array(states * classes);
  const valuesByRow: Array<readonly T[]> = [];
  order.forEach((state, n) => {
    valuesByRow[n] = found[state] as T[];
    for (let c = 0; c < classes; c++) {
      const target = next[state * classes + c] as number;
      const offset = (renumbered[target] as number) * classes;
      table[n * classes + c] = (found[target] as T[]).length ? -offset - 1 : offset;
    }
  });
  const valuesAt = (row: number): readonly T[] => valuesByRow[row / classes] as T[];

  return {
    scan(text, visit) {
      // Locals, not closure slots, in the loops that read every character.
      const rows = table;
      const classes = classOf;
      const length = text.length;
      // Two halves scanned in one loop: each step waits on its table load, and two independent
      // chains of loads overlap (~1.3x on the bench). The halves meet at a line break, which no
      // keyword holds; the second half's hits wait, so `visit` still sees them in text order.
      let split = length >= INTERLEAVE_FROM ? text.indexOf('\n', length >> 1) : -1;
      if (split < 0) split = length;
      const steps = Math.min(split, length - split);
      const later: number[] = [];
      let row = 0;
      let row2 = 0;
      let i = 0;
      for (; i < steps; i++) {
        const to = rows[row + (classes[text.charCodeAt(i)] as number)] as number;
        const to2 = rows[row2 + (classes[text.charCodeAt(split + i)] as number)] as number;
        if (to < 0) {
          row = -to - 1;
          visit(valuesAt(row), i + 1);
        } else row = to;
        if (to2 < 0) {
          row2 = -to2 - 1;
          later.push(row2, split + i + 1);
        } else row2 = to2;
      }
      for (; i < split; i++) {
        const to = rows[row + (classes[text.charCodeAt(i)] as number)] as number;
        if (to < 0) {
          row = -to - 1;
          visit(valuesAt(row), i + 1);
        } else row = to;
      }
      for (let n = 0; n < later.length; n += 2) visit(valuesAt(later[n] as number), later[n + 1] as number);
      for (let j = split + steps; j < length; j++) {
        const to = rows[row2 + (classes[text.charCodeAt(j)] as number)] as number;
        if (to < 0) {
          row2 = -to - 1;
          visit(valuesAt(row2), j + 1);
        } else row2 = to;
      }
    },
  };
}
