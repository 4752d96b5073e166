import { SECRET_RULES } from './secret-rules/index.ts';
import { keywordIndex } from './secret-rules/keyword-index.ts';
import { entropy } from './secret-rules/randomness.ts';
import type { SecretRule } from './secret-rules/rule.ts';

export interface Finding {
  rule: SecretRule;
  /** The secret's range in the text, end exclusive. */
  start: number;
  end: number;
}

/** Line windows closer than this are searched as one, to save a regex start per line. */
const MERGE_GAP = 256;

interface Compiled {
  rule: SecretRule;
  /** With match indices, to place the `secret` group exactly; sticky for anchored rules. */
  pattern: RegExp;
}

const COMPILED: readonly Compiled[] = SECRET_RULES.map((rule) => ({
  rule,
  pattern: new RegExp(
    rule.pattern.source,
    `${rule.pattern.flags.replace(/[dgy]/g, '')}d${rule.anchored ? 'y' : 'g'}`,
  ),
}));

interface Hit {
  rule: number;
  /** The keyword's length, to find where it starts from where the scan saw it end. */
  length: number;
}

const INDEX = keywordIndex<Hit>(
  SECRET_RULES.flatMap((rule, n) =>
    rule.keywords.map((keyword) => [keyword, { rule: n, length: keyword.length }] as const),
  ),
);

/**
 * The secrets in a text, by shape. One keyword pass says which rules can match and where: an
 * anchored rule is tried only where one of its keywords begins; the others run on the lines that
 * hold a keyword.
 */
export function findSecrets(text: string): Finding[] {
  const { starts, windows } = locate(text);
  const candidates: Array<Finding & { order: number }> = [];
  const consider = (n: number, rule: SecretRule, match: RegExpExecArray, offset: number) => {
    const at = match.indices?.groups?.secret;
    const secret = match.groups?.secret;
    if (at && secret && accepts(rule, secret, match[0]))
      candidates.push({ rule, start: offset + at[0], end: offset + at[1], order: n });
  };
  for (let n = 0; n < COMPILED.length; n++) {
    const { rule, pattern } = COMPILED[n] as Compiled;
    const at = starts[n];
    if (at) {
      // A hit inside this rule's last match could only give a match that loses to it; skipping
      // them keeps `sk-sk-sk-…` linear.
      let skipTo = -1;
      for (const start of at) {
        if (start <= skipTo) continue;
        pattern.lastIndex = start;
        const match = pattern.exec(text);
        if (!match) continue;
        skipTo = start + match[0].length - 1;
        consider(n, rule, match, 0);
      }
    }
    const ranges = windows[n];
    if (!ranges) continue;
    for (let w = 0; w < ranges.length; w += 2) {
      const from = ranges[w] as number;
      const slice = text.slice(from, ranges[w + 1]);
      pattern.lastIndex = 0;
      for (let match = pattern.exec(slice); match; match = pattern.exec(slice)) {
        if (match[0].length === 0) pattern.lastIndex++;
        consider(n, rule, match, from);
      }
    }
  }
  // Leftmost, then longest, then the earlier rule: `xoxe.xoxp-…` is one config token, not a
  // user token after `xoxe.`, and a provider's rule names a value before the generic ones do.
  candidates.sort((a, b) => a.start - b.start || b.end - a.end || a.order - b.order);
  const found: Finding[] = [];
  let claimedTo = 0;
  for (const { rule, start, end } of candidates) {
    if (start < claimedTo) continue;
    found.push({ rule, start, end });
    claimedTo = end;
  }
  return found;
}

function accepts(rule: SecretRule, secret: string, match: string): boolean {
  if (secret.includes('«secret:')) return false;
  if (rule.minEntropy !== undefined && entropy(secret) < rule.minEntropy) return false;
  return rule.validate ? rule.validate(secret, match) : true;
}

/**
 * Per rule, where to try it: the start of each of its keywords (anchored rules), or the ranges
 * (flat start/end pairs) of the lines holding one.
 */
function locate(text: string): { starts: Array<number[] | undefined>; windows: Array<number[] | undefined> } {
  const starts: Array<number[] | undefined> = [];
  const windows: Array<number[] | undefined> = [];
  let lineStart = 0;
  let lineEnd = -1;
  INDEX.scan(text, (hits, end) => {
    for (const { rule: n, length } of hits) {
      const { rule } = COMPILED[n] as Compiled;
      if (rule.anchored) {
        const list = starts[n];
        if (list) list.push(end - length);
        else starts[n] = [end - length];
        continue;
      }
      if (end > lineEnd) {
        lineStart = text.lastIndexOf('\n', end - 1) + 1;
        lineEnd = text.indexOf('\n', end);
        if (lineEnd < 0) lineEnd = text.length;
      }
      const ranges = windows[n];
      if (!ranges) windows[n] = [lineStart, lineEnd];
      else if (lineStart <= (ranges.at(-1) as number) + MERGE_GAP) ranges[ranges.length - 1] = lineEnd;
      else ranges.push(lineStart, lineEnd);
    }
  });
  return { starts, windows };
}
