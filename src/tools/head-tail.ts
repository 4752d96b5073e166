/**
 * Long command output keeps its beginning and its end: the head says what ran, the tail holds the
 * test summary or the error. The middle is replaced by a notice with the byte count.
 */
export function keepHeadAndTail(text: string, maxBytes: number): { text: string; omitted: number } {
  const data = Buffer.from(text, 'utf8');
  if (data.length <= maxBytes) return { text, omitted: 0 };
  let head = Math.floor(maxBytes * 0.4);
  let tail = data.length - (maxBytes - head);
  // Cut at line ends when one is close, so no line arrives half-shown.
  const headLine = data.lastIndexOf(0x0a, head - 1);
  if (headLine >= head * 0.75) head = headLine + 1;
  const tailLine = data.indexOf(0x0a, tail);
  if (tailLine !== -1 && tailLine < tail + (data.length - tail) * 0.25) tail = tailLine + 1;
  // Never split a UTF-8 sequence: step off continuation bytes.
  while (head > 0 && isContinuation(data[head])) head--;
  while (tail < data.length && isContinuation(data[tail])) tail++;
  const omitted = tail - head;
  const before = data.subarray(0, head).toString('utf8');
  const after = data.subarray(tail).toString('utf8');
  const joinBefore = before.endsWith('\n') || before === '' ? '' : '\n';
  return { text: `${before}${joinBefore}[… ${omitted} bytes omitted …]\n${after}`, omitted };
}

/** Shares one budget between two streams: the smaller keeps all it has up to half, the larger the rest. */
export function splitBudget(firstBytes: number, secondBytes: number, maxBytes: number): [number, number] {
  if (firstBytes + secondBytes <= maxBytes) return [firstBytes, secondBytes];
  const second = Math.min(secondBytes, Math.max(Math.floor(maxBytes / 2), maxBytes - firstBytes));
  return [maxBytes - second, second];
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}
