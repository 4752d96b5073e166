/** Text with its `%XX` escapes decoded, and where each decoded character came from. */
export interface PercentDecoded {
  text: string;
  /** `offsets[k]` is the index in the original text of decoded character k; one more entry for the end. */
  offsets: number[];
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * Decodes percent-escapes wherever they are (some characters of a value or all of them, as
 * `encodeURIComponent` or `curl --data-urlencode` write them), as UTF-8; an escape that is not
 * part of valid UTF-8 stays as written. Undefined when the text has no escape.
 */
export function percentDecoded(text: string): PercentDecoded | undefined {
  if (!/%[0-9A-Fa-f]{2}/.test(text)) return undefined;
  let out = '';
  const offsets: number[] = [];
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) !== 37 || !HEX.test(text.slice(i + 1, i + 3))) {
      out += text[i];
      offsets.push(i);
      i += 1;
      continue;
    }
    // A run of escapes: the bytes of one or more UTF-8 characters.
    const starts: number[] = [];
    const bytes: number[] = [];
    while (text.charCodeAt(i) === 37 && HEX.test(text.slice(i + 1, i + 3))) {
      starts.push(i);
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 3;
    }
    let b = 0;
    while (b < bytes.length) {
      const length = utf8Length(bytes, b);
      const start = starts[b] as number;
      if (length === 0) {
        out += text.slice(start, start + 3);
        offsets.push(start, start + 1, start + 2);
        b += 1;
        continue;
      }
      const decoded = Buffer.from(bytes.slice(b, b + length)).toString('utf8');
      out += decoded;
      for (let unit = 0; unit < decoded.length; unit++) offsets.push(start);
      b += length;
    }
  }
  offsets.push(text.length);
  return { text: out, offsets };
}

/** Bytes in the UTF-8 sequence starting at `at`, or 0 if none is there. */
function utf8Length(bytes: number[], at: number): number {
  const lead = bytes[at] as number;
  const length = lead < 0x80 ? 1 : lead >> 5 === 6 ? 2 : lead >> 4 === 14 ? 3 : lead >> 3 === 30 ? 4 : 0;
  if (length === 0 || at + length > bytes.length) return 0;
  for (let k = 1; k < length; k++) if (((bytes[at + k] as number) & 0xc0) !== 0x80) return 0;
  return length;
}
