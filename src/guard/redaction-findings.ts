import type { KnownMatch } from './known-matcher.ts';

/** Where the redactor replaced something, and by what rule; never the value. */
export interface RedactionFinding {
  /** Offsets into the text given, end exclusive. */
  start: number;
  end: number;
  /** The rule's id, or the known value's kind (`openai-api-key`, `env-file`). */
  rule: string;
  /** For a known value: the form it was found in (`plain`, `base64`, `url-encoded hex`, …). */
  form?: string;
  /** What replaced it, the same for every occurrence of one secret. */
  placeholder: string;
}

const PLACEHOLDER = /«secret:([^»\s]+)#\d+»/g;

/**
 * The findings of one redaction, located in the original text. Known values were replaced first
 * (`known`, at known places, giving `afterKnown`); the shape rules then replaced whole secrets in
 * that, giving `output`. Walking `output` against `afterKnown` finds each new placeholder's place;
 * `replacedBy` gives the length of what it replaced.
 */
export function locateFindings(
  known: readonly KnownMatch[],
  afterKnown: string,
  output: string,
  placeholderOf: (match: KnownMatch) => string,
  replacedBy: (placeholder: string) => string | undefined,
): RedactionFinding[] {
  const findings: RedactionFinding[] = [];
  // Where each known match's placeholder sits in `afterKnown`, to map positions back.
  const shifts: Array<{ at: number; end: number; start: number; delta: number }> = [];
  let delta = 0;
  for (const match of known) {
    const placeholder = placeholderOf(match);
    const at = match.start - delta;
    findings.push({ start: match.start, end: match.end, rule: match.kind, form: match.form, placeholder });
    delta += match.end - match.start - placeholder.length;
    shifts.push({ at, end: at + placeholder.length, start: match.start, delta });
  }
  const toOriginal = (position: number): number => {
    let shift = 0;
    for (const s of shifts) {
      if (s.at >= position) break;
      if (position < s.end) return s.start;
      shift = s.delta;
    }
    return position + shift;
  };

  let t = 0;
  let o = 0;
  const tokens = [...output.matchAll(PLACEHOLDER)];
  for (let k = 0; k < tokens.length; k++) {
    const token = tokens[k] as RegExpExecArray;
    t += token.index - o;
    o = token.index + token[0].length;
    const placeholder = token[0];
    if (afterKnown.startsWith(placeholder, t)) {
      t += placeholder.length;
      continue;
    }
    const value = replacedBy(placeholder);
    let length: number;
    if (value !== undefined && afterKnown.startsWith(value, t)) length = value.length;
    else {
      // Not the value itself (a rule that replaced more): up to where the text goes on.
      const next = tokens[k + 1];
      const literal = output.slice(o, next ? next.index : output.length);
      const found = literal ? afterKnown.indexOf(literal, t) : next ? t : afterKnown.length;
      length = Math.max(0, found - t);
    }
    findings.push({
      start: toOriginal(t),
      end: toOriginal(t + length),
      rule: token[1] as string,
      placeholder,
    });
    t += length;
  }
  // A rule's match can take in a known value's placeholder (a URL's password running on into the
  // value that follows it): the rule's replacement is what the output shows, so the value's finding
  // inside it goes.
  findings.sort((a, b) => a.start - b.start || b.end - a.end);
  const shown: RedactionFinding[] = [];
  for (const finding of findings) {
    const last = shown.at(-1);
    if (last && finding.start < last.end) continue;
    shown.push(finding);
  }
  return shown;
}
