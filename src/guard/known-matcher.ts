import { type FormName, formsOf, PIECE_CHARS, readsAsWord } from './known-forms.ts';
import { percentDecoded } from './percent-decoding.ts';

export interface KnownValue {
  value: string;
  kind: string;
}

/** Where a known value appears in some form; `value` is for the redactor's placeholder, never shown. */
export interface KnownMatch {
  start: number;
  end: number;
  value: string;
  kind: string;
  form: FormName | `url-encoded ${FormName}`;
}

export interface KnownMatcher {
  /** Non-overlapping, in order of position. */
  find(text: string): KnownMatch[];
  readonly size: number;
}

/**
 * Every match is at least `SPAN` characters long (a piece, or a whole form), so looking at one
 * position in `STEP` is enough: any stretch that long holds a `SEED`-character window starting at
 * a position looked at. Forms shorter than `SPAN` (whole values of 8 or 9 characters) are found
 * by a regular expression of their own.
 */
const SPAN = PIECE_CHARS;
const SEED = 6;
const STEP = SPAN - SEED + 1;
const BASE = 0x01000193;

interface Form {
  text: string;
  piece: number | undefined;
  name: FormName;
  known: KnownValue;
}

/**
 * One scan for every form of every known value, whatever their number: every fifth position of
 * the text costs a hash of the six characters there and one bit looked up in a filter built from
 * every six-character stretch of every form. Only where the bit is set (rarely, in ordinary text)
 * are the candidate forms compared, and a match extended both ways as far as the form goes. So
 * many values in many forms cost about what one does, and never a pass per value.
 */
export function createKnownMatcher(values: Iterable<KnownValue>): KnownMatcher {
  const forms: Form[] = [];
  const short: Form[] = [];
  for (const known of values)
    for (const form of formsOf(known.value))
      (form.text.length < SPAN ? short : forms).push({ ...form, known });
  // Seed hash → [form index, offset in the form, …].
  const seeds = new Map<number, number[]>();
  for (let f = 0; f < forms.length; f++) {
    const text = (forms[f] as Form).text;
    for (let offset = 0; offset + SEED <= text.length; offset++) {
      const hash = hashAt(text, offset);
      const list = seeds.get(hash);
      if (list) list.push(f, offset);
      else seeds.set(hash, [f, offset]);
    }
  }
  const bits = Math.min(24, Math.max(10, Math.ceil(Math.log2(seeds.size * 32 + 1))));
  const shift = 32 - bits;
  const filter = new Uint32Array(2 ** (bits - 5));
  for (const hash of seeds.keys()) {
    const slot = Math.imul(hash, 0x9e3779b1) >>> shift;
    filter[slot >>> 5] = (filter[slot >>> 5] as number) | (1 << (slot & 31));
  }
  const shortPattern = short.length
    ? new RegExp(
        short
          .map((form) => form.text)
          .sort((a, b) => b.length - a.length)
          .map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('|'),
        'g',
      )
    : undefined;
  const shortForms = new Map(short.map((form) => [form.text, form]));
  // How far from an escape a match that holds it can reach: the longest form.
  const reach = [...forms, ...short].reduce((most, form) => Math.max(most, form.text.length), 0);

  const scan = (text: string): KnownMatch[] => {
    let found: KnownMatch[] = [];
    const last = text.length - SEED;
    let done = 0;
    for (let i = 0; i <= last; i += STEP) {
      if (i < done) continue;
      const hash = hashAt(text, i);
      const slot = Math.imul(hash, 0x9e3779b1) >>> shift;
      if (((filter[slot >>> 5] as number) & (1 << (slot & 31))) === 0) continue;
      const match = matchAt(text, i, seeds.get(hash), forms, done);
      if (match) {
        found.push(match);
        done = match.end;
      }
    }
    if (shortPattern) {
      const more: KnownMatch[] = [];
      for (const hit of text.matchAll(shortPattern)) {
        const form = shortForms.get(hit[0]) as Form;
        more.push({
          start: hit.index,
          end: hit.index + hit[0].length,
          value: form.known.value,
          kind: form.known.kind,
          form: form.name,
        });
      }
      if (more.length) found = merged([...found, ...more]);
    }
    return found;
  };

  return {
    size: forms.length + short.length,
    find(text) {
      if (forms.length + short.length === 0) return [];
      const plain = scan(text);
      if (text.indexOf('%') < 0) return plain;
      const escaped: KnownMatch[] = [];
      for (const region of escapedRegions(text, reach)) {
        const decoded = percentDecoded(text.slice(region.start, region.end));
        if (!decoded) continue;
        for (const match of scan(decoded.text)) {
          const start = region.start + (decoded.offsets[match.start] as number);
          const end = region.start + (decoded.offsets[match.end] as number);
          // Without an escape inside, the plain scan has it already.
          if (end - start === match.end - match.start) continue;
          escaped.push({ ...match, start, end, form: `url-encoded ${match.form as FormName}` });
        }
      }
      return escaped.length === 0 ? plain : merged([...plain, ...escaped]);
    },
  };
}

/** The longest match of a candidate form through the seed at `at`, not reaching back before `floor`. */
function matchAt(
  text: string,
  at: number,
  candidates: number[] | undefined,
  forms: Form[],
  floor: number,
): KnownMatch | undefined {
  if (!candidates) return undefined;
  let best: { start: number; end: number; length: number; form: Form } | undefined;
  for (let c = 0; c < candidates.length; c += 2) {
    const form = forms[candidates[c] as number] as Form;
    const offset = candidates[c + 1] as number;
    const f = form.text;
    let k = 0;
    while (k < SEED && text.charCodeAt(at + k) === f.charCodeAt(offset + k)) k++;
    if (k < SEED) continue;
    // Encoders wrap their output (`xxd -p` at 60 characters, `base64` at 76): a line break inside
    // an encoded form is passed over, so the short end of a wrapped value is not left showing.
    const wraps =
      form.name !== 'plain' &&
      form.name !== 'reversed' &&
      form.name !== 'rot13' &&
      !form.name.endsWith('-case');
    let start = at;
    let first = offset;
    while (first > 0 && start > floor) {
      const code = text.charCodeAt(start - 1);
      if (code === f.charCodeAt(first - 1)) first--;
      else if (!(wraps && (code === 10 || code === 13) && start - 1 > floor)) break;
      start--;
    }
    let end = at + SEED;
    let past = offset + SEED;
    while (past < f.length && end < text.length) {
      const code = text.charCodeAt(end);
      if (code === f.charCodeAt(past)) past++;
      else if (!(wraps && (code === 10 || code === 13))) break;
      end++;
    }
    // A break passed over at either end is not part of the match.
    while (end > at && isBreak(text.charCodeAt(end - 1))) end--;
    while (start < at && isBreak(text.charCodeAt(start))) start++;
    const length = past - first;
    const whole = first === 0 && past === f.length;
    if (!whole && (form.piece === undefined || length < form.piece)) continue;
    if (!whole && !wraps && readsAsWord(text.slice(start, end))) continue;
    if (!best || length > best.length) best = { start, end, length, form };
  }
  if (!best) return undefined;
  return {
    start: best.start,
    end: best.end,
    value: best.form.known.value,
    kind: best.form.known.kind,
    form: best.form.name,
  };
}

/** Stretches around runs of `%XX` escapes, `reach` characters each way, overlapping ones joined. */
function escapedRegions(text: string, reach: number): Array<{ start: number; end: number }> {
  const regions: Array<{ start: number; end: number }> = [];
  for (const run of text.matchAll(/(?:%[0-9A-Fa-f]{2})+/g)) {
    const start = Math.max(0, run.index - reach);
    const end = Math.min(text.length, run.index + run[0].length + reach);
    const last = regions.at(-1);
    if (last && start <= last.end) last.end = end;
    else regions.push({ start, end });
  }
  return regions;
}

/** Overlapping matches become one, named after the longer: no fragment of either is left behind. */
function merged(matches: KnownMatch[]): KnownMatch[] {
  const sorted = matches.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: KnownMatch[] = [];
  for (const match of sorted) {
    const last = out.at(-1);
    if (last && match.start < last.end) {
      const longer = match.end - match.start > last.end - last.start ? match : last;
      out[out.length - 1] = { ...longer, start: last.start, end: Math.max(last.end, match.end) };
    } else out.push(match);
  }
  return out;
}

function isBreak(code: number): boolean {
  return code === 10 || code === 13;
}

function hashAt(text: string, at: number): number {
  let hash = 0;
  for (let k = 0; k < SEED; k++) hash = (Math.imul(hash, BASE) + text.charCodeAt(at + k)) | 0;
  return hash;
}
