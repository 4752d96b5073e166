/** Orders two dotted versions ("1.4.2"): negative when a comes first, positive when b does, 0 when equal. */
export function compareVersions(a, b) {
  const left = a.trim().split('.');
  const right = b.trim().split('.');
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? '0';
    const y = right[i] ?? '0';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The highest of a list of versions. */
export function latest(versions) {
  if (versions.length === 0) throw new RangeError('latest() of no versions');
  return [...versions].sort(compareVersions).at(-1);
}
