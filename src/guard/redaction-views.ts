/**
 * Other ways to read the same text, for secrets a command printed in a form no rule sees as it
 * stands but a person (or the model, after Warden's own clean-up) reads plainly: tag characters,
 * zero-width characters, NULs (UTF-16 printed by `cat`) or colour codes between its characters;
 * JSON escapes (`https:\/\/`, `\n` before a token); percent-encoding; `xxd`/`hexdump -C`/`od -x`
 * columns. Each view keeps where each of its characters came from, so a secret found in it is
 * replaced in the text itself.
 */
export interface View {
  text: string;
  /** For each character of the view, the range of the original it stands for, end exclusive. */
  from: Int32Array;
  to: Int32Array;
  /** A dump prints the same bytes again in a column of its own: a secret takes the rest of its last line. */
  toLineEnd?: boolean;
}

type Piece = [text: string, start: number, end: number];

function build(pieces: Iterable<Piece>): View {
  const all = [...pieces];
  let length = 0;
  for (const [piece] of all) length += piece.length;
  const from = new Int32Array(length);
  const to = new Int32Array(length);
  let at = 0;
  for (const [piece, start, end] of all) {
    from.fill(start, at, at + piece.length);
    to.fill(end, at, at + piece.length);
    at += piece.length;
  }
  return { text: all.map(([piece]) => piece).join(''), from, to };
}

/** Characters no one sees, and terminal colour codes: dropped. */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL and ESC are what this removes
  /[\u{E0000}-\u{E007F}\u200B-\u200D\u2060\uFEFF\u00AD\0]|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/gu;

function* withoutInvisible(text: string, o: number): Iterable<Piece> {
  let at = 0;
  for (const match of text.matchAll(INVISIBLE)) {
    if (match.index > at) yield [text.slice(at, match.index), o + at, o + match.index];
    at = match.index + match[0].length;
  }
  if (at < text.length) yield [text.slice(at), o + at, o + text.length];
}

const JSON_ESCAPE = /\\(?:u([0-9a-fA-F]{4})|([\\/"bfnrt]))/g;
const SIMPLE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function* jsonUnescaped(text: string, o: number): Iterable<Piece> {
  let at = 0;
  for (const match of text.matchAll(JSON_ESCAPE)) {
    if (match.index > at) yield [text.slice(at, match.index), o + at, o + match.index];
    const [, hex, simple = ''] = match;
    const char = hex ? String.fromCharCode(Number.parseInt(hex, 16)) : (SIMPLE[simple] ?? simple);
    yield [char, o + match.index, o + match.index + match[0].length];
    at = match.index + match[0].length;
  }
  if (at < text.length) yield [text.slice(at), o + at, o + text.length];
}

const PERCENT = /(?:%[0-9a-fA-F]{2})+/g;

function* percentDecoded(text: string, o: number): Iterable<Piece> {
  let at = 0;
  for (const match of text.matchAll(PERCENT)) {
    if (match.index > at) yield [text.slice(at, match.index), o + at, o + match.index];
    // Byte by byte, as Latin-1: what matters is the ASCII a secret is made of.
    for (let i = 0; i < match[0].length; i += 3) {
      const start = o + match.index + i;
      yield [String.fromCharCode(Number.parseInt(match[0].slice(i + 1, i + 3), 16)), start, start + 3];
    }
    at = match.index + match[0].length;
  }
  if (at < text.length) yield [text.slice(at), o + at, o + text.length];
}

/**
 * `00000010: 586b 396d …  Xk9m…` (xxd), `00000010  58 6b 39 6d …  |Xk9m…|` (hexdump -C),
 * `0000020 6b58 6d39 …` (od -x), ` 58 6b 39 6d …` (od -An -tx1).
 */
const DUMP_LINE = /^(?:[0-9a-fA-F]{4,16}:?[ \t]+|[ \t]+)((?:[0-9a-fA-F]{2,4}(?:[ \t]{1,3}|$)){1,32})/gm;

function* hexDumped(text: string): Iterable<Piece> {
  // A long output is read from its first dump (offset 0) on; a short one whole, for `od -An`.
  const first = text.length <= MAX_UNANCHORED_DUMP ? 0 : Math.max(0, firstDumpLine(text));
  DUMP_LINE.lastIndex = first;
  for (let match = DUMP_LINE.exec(text); match; match = DUMP_LINE.exec(text)) {
    const column = match[1] as string;
    let at = match.index + match[0].length - column.length;
    for (const group of column.split(/([ \t]+)/)) {
      if (/^[0-9a-fA-F]+$/.test(group) && group.length % 2 === 0)
        for (let i = 0; i < group.length; i += 2)
          yield [String.fromCharCode(Number.parseInt(group.slice(i, i + 2), 16)), at + i, at + i + 2];
      at += group.length;
    }
  }
}

/** `od -x` and `hexdump` without -C print 16-bit words little-end first: `6b58` is `Xk`. */
function* hexDumpedSwapped(text: string): Iterable<Piece> {
  const pieces = [...hexDumped(text)];
  for (let i = 0; i + 1 < pieces.length; i += 2) {
    yield pieces[i + 1] as Piece;
    yield pieces[i] as Piece;
  }
}

/**
 * The lines of `text` the trigger occurs on, each read through `read`, joined by their own line
 * breaks: a secret is found where it stands, and the rest of the text costs nothing.
 */
function* onLines(
  text: string,
  at: Iterable<number>,
  read: (line: string, offset: number) => Iterable<Piece>,
): Iterable<Piece> {
  let done = -1;
  for (const index of at) {
    if (index < done) continue;
    const start = text.lastIndexOf('\n', index) + 1;
    const newline = text.indexOf('\n', index);
    const end = newline < 0 ? text.length : newline;
    yield* read(text.slice(start, end), start);
    if (newline >= 0) yield ['\n', newline, newline + 1];
    done = end;
  }
}

/**
 * Every view's trigger, found in one pass over the text (one regex, not one scan per view): an
 * escaped slash or an escape run into a word (`\nghp_…`), `%XX`, a diff marker run into a token,
 * a dump's first offset, hidden characters or a colour code run into a word.
 */
const TRIGGERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL and ESC are what this looks for
  /\\(?:\/|[nrtu"][A-Za-z0-9])|%[0-9a-fA-F]{2}|\n[+-][A-Za-z0-9_-]{16}|\n0{7}|(?:[\u200B-\u200D\u2060\uFEFF\u00AD\0]|\uDB40[\uDC00-\uDC7F]|\x1b\[[0-9;?]*[ -/]*[@-~])[A-Za-z0-9]/g;

interface Triggers {
  escapes: number[];
  percents: number[];
  marks: number[];
  dumps: boolean;
  hidden: number[];
}

function triggersOf(text: string): Triggers {
  const found: Triggers = { escapes: [], percents: [], marks: [], dumps: false, hidden: [] };
  if (/^[+-][A-Za-z0-9_-]{16}/.test(text)) found.marks.push(0);
  for (const match of text.matchAll(TRIGGERS)) {
    const first = match[0][0];
    if (first === '\\') found.escapes.push(match.index);
    else if (first === '%') found.percents.push(match.index);
    else if (first === '\n' && match[0][1] !== '0') found.marks.push(match.index + 1);
    else if (first === '\n') found.dumps ||= isDumpLine(text, match.index + 1);
    else found.hidden.push(match.index);
  }
  return found;
}

function* withoutDiffMark(line: string, o: number): Iterable<Piece> {
  yield [line.slice(1), o + 1, o + line.length];
}

/** A dump's first line has offset 0; `od -An` has none, so short outputs are searched for its rows. */
const MAX_UNANCHORED_DUMP = 256 * 1024;
const isDumpLine = (text: string, at: number) => /^0{7,8}:? +[0-9a-fA-F]{2}/.test(text.slice(at, at + 24));
function firstDumpLine(text: string): number {
  if (isDumpLine(text, 0)) return 0;
  for (let i = text.indexOf('\n0000000'); i >= 0; i = text.indexOf('\n0000000', i + 1))
    if (isDumpLine(text, i + 1)) return i + 1;
  return -1;
}

/** The views worth taking of this text: only those whose trigger occurs in it. */
export function viewsOf(text: string): View[] {
  const views: View[] = [];
  const found = triggersOf(text);
  if (found.hidden.length > 0) views.push(build(onLines(text, found.hidden, withoutInvisible)));
  if (found.escapes.length > 0) views.push(build(onLines(text, found.escapes, jsonUnescaped)));
  if (found.marks.length > 0) views.push(build(onLines(text, found.marks, withoutDiffMark)));
  if (found.percents.length > 0) views.push(build(onLines(text, found.percents, percentDecoded)));
  const dumps =
    found.dumps ||
    isDumpLine(text, 0) ||
    (text.length <= MAX_UNANCHORED_DUMP && new RegExp(DUMP_LINE.source, 'm').test(text));
  if (dumps) {
    views.push({ ...build(hexDumped(text)), toLineEnd: true });
    views.push({ ...build(hexDumpedSwapped(text)), toLineEnd: true });
  }
  return views.filter((view) => view.text.length > 0);
}
