/**
 * Characters a person does not see but a model reads: Unicode tag characters (U+E0000–E007F, which
 * spell out ASCII invisibly — "ASCII smuggling"), bidirectional overrides and isolates (which make
 * code read differently than it runs — "Trojan Source"), and runs of zero-width characters (which
 * can encode a hidden message). Every scan here is a single pass over the text.
 */

/** C0 and C1 controls: kept out of one-line labels and excerpts. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;
/** U+202A–202E (embeddings, overrides) and U+2066–2069 (isolates). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF\u180E]/g;
/** Three in a row never happens in ordinary text (an emoji sequence joins single ZWJs). */
const ZERO_WIDTH_RUN = /[\u200B-\u200D\u2060\uFEFF\u180E]{3,64}/;
const BLACK_FLAG = 0x1f3f4;
const TAG_FIRST = 0xe0000;
const TAG_LAST = 0xe007f;
const CANCEL_TAG = 0xe007f;
const FLAG_TAG_LIMIT = 7;

export interface InvisibleReport {
  /** The ASCII that tag characters spell out, outside flag emoji; empty when there are none. */
  hiddenTagText: string;
  tagCount: number;
  bidiCount: number;
  /** The first run of three or more zero-width characters, if any: its length. */
  zeroWidthRun: number;
}

export interface Neutralised {
  text: string;
  /** What was changed, for the label the model sees; empty when nothing was. */
  notes: string[];
}

/** Finds the invisible characters of concern, without changing the text. */
export function inspectInvisible(text: string): InvisibleReport {
  let hidden = '';
  let tagCount = 0;
  forEachSmuggledTag(text, (codePoint) => {
    tagCount += 1;
    // U+E0020–E007E mirror printable ASCII; the rest (language tag, cancel) spell nothing.
    if (codePoint >= 0xe0020 && codePoint <= 0xe007e) hidden += String.fromCodePoint(codePoint - TAG_FIRST);
  });
  const run = ZERO_WIDTH_RUN.exec(text);
  return {
    hiddenTagText: hidden,
    tagCount,
    bidiCount: text.match(BIDI_CONTROLS)?.length ?? 0,
    zeroWidthRun: run?.[0].length ?? 0,
  };
}

/**
 * What the model gets instead: tag characters removed (flag emoji such as England's keep theirs),
 * each bidi control shown as a visible `[U+202E]`. The notes say what was done, so the model knows
 * the text differs from the file.
 */
export function neutraliseInvisible(text: string): Neutralised {
  let out = '';
  let last = 0;
  let removed = 0;
  forEachSmuggledTag(text, (_codePoint, index) => {
    out += text.slice(last, index);
    last = index + 2; // every tag character is a surrogate pair
    removed += 1;
  });
  out += text.slice(last);
  let bidi = 0;
  out = out.replace(BIDI_CONTROLS, (char) => {
    bidi += 1;
    return `[U+${char.codePointAt(0)?.toString(16).toUpperCase()}]`;
  });
  const notes: string[] = [];
  if (removed > 0) notes.push(`removed ${removed} invisible Unicode tag characters`);
  if (bidi > 0) notes.push(`shown ${bidi} bidirectional control characters as [U+…]`);
  return { text: out, notes };
}

/** The text without any invisible character of concern: what the phrase rules read. */
export function withoutInvisible(text: string): string {
  let out = '';
  let last = 0;
  forEachSmuggledTag(text, (_codePoint, index) => {
    out += text.slice(last, index);
    last = index + 2;
  });
  out += text.slice(last);
  return out.replace(BIDI_CONTROLS, '').replace(ZERO_WIDTH, '');
}

/**
 * Calls `visit` for every tag character that is not part of a flag emoji, with its UTF-16 index.
 * A flag is U+1F3F4, one to seven tag letters or digits (`gbeng`), then the cancel tag; a run that
 * is anything else — longer, other characters, no cancel — is smuggled text, all of it. Tag
 * characters are astral: each is a surrogate pair starting with \uDB40.
 */
function forEachSmuggledTag(text: string, visit: (codePoint: number, index: number) => void): void {
  let index = text.indexOf('\uDB40');
  while (index !== -1) {
    const codePoint = text.codePointAt(index) ?? 0;
    if (codePoint < TAG_FIRST || codePoint > TAG_LAST) {
      index = text.indexOf('\uDB40', index + 1);
      continue;
    }
    const flagLength = text.codePointAt(index - 2) === BLACK_FLAG ? flagTagsAt(text, index) : 0;
    if (flagLength > 0) {
      index = text.indexOf('\uDB40', index + flagLength * 2);
      continue;
    }
    visit(codePoint, index);
    index = text.indexOf('\uDB40', index + 2);
  }
}

/** How many tag characters from `index` make a well-formed flag ending in the cancel tag; 0 if not. */
function flagTagsAt(text: string, index: number): number {
  for (let n = 0; n <= FLAG_TAG_LIMIT; n++) {
    const codePoint = text.codePointAt(index + n * 2) ?? 0;
    if (codePoint === CANCEL_TAG) return n > 0 ? n + 1 : 0;
    if (!isFlagTag(codePoint)) return 0;
  }
  return 0;
}

/** Tag digits and lowercase letters: what subdivision flags are spelled with. */
function isFlagTag(codePoint: number): boolean {
  return (codePoint >= 0xe0030 && codePoint <= 0xe0039) || (codePoint >= 0xe0061 && codePoint <= 0xe007a);
}
