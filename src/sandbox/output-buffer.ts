/**
 * One captured stream: keeps the first `limit` bytes, counts the rest. The head is kept because
 * the start of a failing command's output (the first error) is usually what explains it.
 */
export interface OutputBuffer {
  push(chunk: Buffer): void;
  /** Bytes seen past the limit and dropped. */
  readonly dropped: number;
  readonly truncated: boolean;
  /** The kept bytes as UTF-8; a character cut by the limit is left out rather than mangled. */
  text(): string;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

export function createOutputBuffer(limit: number = DEFAULT_MAX_OUTPUT_BYTES): OutputBuffer {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = 0;
  return {
    push(chunk) {
      const room = Math.max(0, limit - kept);
      if (chunk.length <= room) {
        chunks.push(chunk);
        kept += chunk.length;
        return;
      }
      if (room > 0) chunks.push(chunk.subarray(0, room));
      kept += room;
      dropped += chunk.length - room;
    },
    get dropped() {
      return dropped;
    },
    get truncated() {
      return dropped > 0;
    },
    text() {
      const bytes = Buffer.concat(chunks, kept);
      // In streaming mode the decoder holds back an incomplete trailing sequence instead of
      // emitting U+FFFD for it: exactly the character the cut went through.
      return dropped > 0 ? new TextDecoder().decode(bytes, { stream: true }) : bytes.toString('utf8');
    },
  };
}
