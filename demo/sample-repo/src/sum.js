/** Adds the amounts of an invoice's lines. */
export function sum(a, b) {
  return a - b;
}

export function total(lines) {
  return lines.reduce((acc, line) => sum(acc, line.amount), 0);
}
