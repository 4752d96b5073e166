/**
 * Whether every path or line the glob `inner` matches is also matched by `outer`, both written as
 * the policy writes patterns (`*` any characters, everything else itself). A `*` of `inner` can
 * only be covered by a `*` of `outer`, which may also stand for the text around it.
 */
export function globCovers(outer: string, inner: string): boolean {
  const o = [...outer];
  const i = [...inner];
  // reach[k]: outer[0..a) can match inner[0..k) (a the row being filled).
  let reach = Array.from({ length: i.length + 1 }, (_, k) => k === 0);
  for (const ch of o) {
    const next = new Array<boolean>(i.length + 1).fill(false);
    if (ch === '*') {
      let any = false;
      for (let k = 0; k <= i.length; k++) {
        any ||= reach[k] as boolean;
        next[k] = any;
      }
    } else {
      for (let k = 1; k <= i.length; k++)
        next[k] = (reach[k - 1] as boolean) && i[k - 1] === ch && ch !== '*';
    }
    reach = next;
  }
  return reach[i.length] as boolean;
}

/**
 * A line both globs match, or undefined when they share none: what a rule reader offers as a
 * candidate. Where both sides leave a `*` open it puts `x`, so a word is never left empty.
 */
export function globWitness(a: string, b: string): string | undefined {
  const x = [...a];
  const y = [...b];
  const seen = new Set<string>();
  const queue: Array<{ i: number; j: number; text: string }> = [{ i: 0, j: 0, text: '' }];
  while (queue.length > 0) {
    const { i, j, text } = queue.shift() as { i: number; j: number; text: string };
    if (i === x.length && j === y.length) return text;
    const key = `${i},${j}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const p = x[i];
    const q = y[j];
    if (p === '*' && q === '*') queue.push({ i: i + 1, j: j + 1, text: `${text}x` });
    if (p === '*') queue.push({ i: i + 1, j, text });
    if (q === '*') queue.push({ i, j: j + 1, text });
    if (p !== undefined && q !== undefined && p !== '*' && p === q)
      queue.push({ i: i + 1, j: j + 1, text: text + p });
    if (p === '*' && q !== undefined && q !== '*') queue.push({ i, j: j + 1, text: text + q });
    if (q === '*' && p !== undefined && p !== '*') queue.push({ i: i + 1, j, text: text + p });
  }
  return undefined;
}
