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
