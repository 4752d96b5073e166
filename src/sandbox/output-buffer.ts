/**
 * One captured stream: keeps the first half of `limit` bytes and the last half, counts what falls
 * between. Both ends matter: the start of a failing command's output usually holds the first
 * error, the end holds the summary (a test run's failures, a build's last error).
 */
export interface OutputBuffer {
  push(chunk: Buffer): void;
  /** Bytes seen past the limit and dropped. */
  readonly dropped: number;
  readonly truncated: boolean;
  /**
   * The kept bytes as UTF-8, with a marker where bytes were dropped; a character cut at either
   * edge of the gap is left out rather than mangled.
   */
  text(): string;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** `headLimit` 0 keeps only the end: the last lines of a long-lived program's stderr. */
export function createOutputBuffer(
  limit: number = DEFAULT_MAX_OUTPUT_BYTES,
  headLimit: number = Math.ceil(limit / 2),
): OutputBuffer {
  const tailLimit = limit - headLimit;
  const head: Buffer[] = [];
  let headBytes = 0;
  // The tail is a list of chunks trimmed from the front as new output arrives.
  const tail: Buffer[] = [];
  let tailBytes = 0;
  let seen = 0;

  const pushTail = (chunk: Buffer): void => {
    if (tailLimit === 0) return;
    const piece = chunk.length > tailLimit ? chunk.subarray(chunk.length - tailLimit) : chunk;
    tail.push(piece);
    tailBytes += piece.length;
    while (tailBytes > tailLimit) {
      const first = tail[0] as Buffer;
      const excess = tailBytes - tailLimit;
      if (first.length <= excess) {
        tail.shift();
        tailBytes -= first.length;
      } else {
        tail[0] = first.subarray(excess);
        tailBytes -= excess;
      }
    }
  };

  return {
    push(chunk) {
      seen += chunk.length;
      const room = headLimit - headBytes;
      if (room > 0) {
        const part = chunk.subarray(0, room);
        head.push(part);
        headBytes += part.length;
        chunk = chunk.subarray(part.length);
      }
      if (chunk.length > 0) pushTail(chunk);
    },
    get dropped() {
      return seen - headBytes - tailBytes;
    },
    get truncated() {
      return seen > headBytes + tailBytes;
    },
    text() {
      const headBuffer = Buffer.concat(head, headBytes);
      const tailBuffer = Buffer.concat(tail, tailBytes);
      const dropped = seen - headBytes - tailBytes;
      if (dropped === 0) return Buffer.concat([headBuffer, tailBuffer]).toString('utf8');
      // Streaming decode holds back an incomplete trailing sequence instead of emitting U+FFFD.
      const headText = new TextDecoder().decode(headBuffer, { stream: true });
      const tailText = tailBuffer.toString('utf8').replace(/^\uFFFD+/, '');
      return `${headText}\n[… ${dropped} bytes omitted …]\n${tailText}`;
    },
  };
}
