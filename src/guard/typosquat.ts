/**
 * Is a package name one slip away from a popular one? Typosquatters register the names people
 * and models get wrong: a letter swapped or doubled (`lodahs`, `expresss`), separators moved
 * (`react_dom`, `reactdom`), a scope flattened (`@types-node`, `types-node`), a plural, a `js`
 * suffix. A name that is itself popular is never a squat.
 */

export interface LookAlike {
  /** The popular name it resembles. */
  target: string;
  /** How, in words: "two letters swapped", "an extra s", … */
  how: string;
}

/** Edits allowed for a name of this length: short names have fewer honest neighbours to spare. */
export function maxDistance(name: string): number {
  return name.length >= 5 ? 2 : 1;
}

export function lookAlike(name: string, popular: ReadonlySet<string>, pypi = false): LookAlike | undefined {
  const key = pypi ? name.toLowerCase().replace(/[-_.]+/g, '-') : name.toLowerCase();
  if (popular.has(key)) return undefined;
  const trick = namedTrick(key, popular, pypi);
  if (trick) return trick;
  const limit = maxDistance(key);
  let best: { target: string; distance: number } | undefined;
  for (const target of popular) {
    if (Math.abs(target.length - key.length) > limit) continue;
    const distance = damerauLevenshtein(key, target, limit);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { target, distance };
  }
  if (!best) return undefined;
  const how = best.distance === 1 ? oneEdit(key, best.target) : 'two letters different';
  return { target: best.target, how };
}

function namedTrick(key: string, popular: ReadonlySet<string>, pypi: boolean): LookAlike | undefined {
  const flat = (s: string) => s.replace(/^@/, '').replace(/[/_.-]/g, '');
  for (const target of popular) {
    if (flat(target) === flat(key)) {
      const how =
        target.startsWith('@') && !key.includes('/')
          ? 'the scope flattened into the name'
          : 'separators changed';
      return { target, how };
    }
  }
  for (const target of popular) {
    for (const suffix of ['js', '-js', '.js', '_js']) {
      if (key === target + suffix) return { target, how: `"${suffix}" added` };
      if (target === key + suffix) return { target, how: `"${suffix}" dropped` };
    }
    if (key === `${target}s`) return { target, how: 'an extra s' };
    if (target === `${key}s`) return { target, how: 'the s dropped' };
    if (pypi && [`python-${target}`, `py-${target}`, `${target}-python`, `py${target}`].includes(key))
      return { target, how: 'a python prefix or suffix added' };
  }
  return undefined;
}

function oneEdit(name: string, target: string): string {
  if (name.length > target.length) return 'one letter added';
  if (name.length < target.length) return 'one letter missing';
  const diff = [...name].flatMap((c, i) => (c === target[i] ? [] : [i]));
  return diff.length === 2 ? 'two letters swapped' : 'one letter changed';
}

/**
 * Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions), giving
 * up as soon as every path exceeds `max`: then the result is `max + 1`.
 */
export function damerauLevenshtein(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, (prevPrev[j - 2] as number) + 1);
      row.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = row;
  }
  const distance = prev[b.length] as number;
  return distance > max ? max + 1 : distance;
}
