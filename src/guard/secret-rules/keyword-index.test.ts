import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { keywordIndex } from './keyword-index.ts';

/** Every occurrence, overlapping ones too, by the obvious method. */
function naive(keywords: string[], text: string): string[] {
  const lower = text.toLowerCase();
  const found: string[] = [];
  keywords.forEach((keyword, n) => {
    for (let at = lower.indexOf(keyword); at >= 0; at = lower.indexOf(keyword, at + 1))
      found.push(`${n}@${at + keyword.length}`);
  });
  return found.sort();
}

test('one pass finds every occurrence of every keyword, overlapping and in any case', () => {
  const keyword = fc.string({ unit: fc.constantFrom(...'abc_-.'), minLength: 1, maxLength: 5 });
  // Long texts too: past 4 KB the scan splits the text in two at a line break.
  const text = fc.oneof(
    fc.string({ unit: fc.constantFrom(...'aAbBcC_-. \n✔'), maxLength: 200 }),
    fc.string({ unit: fc.constantFrom(...'aAbBcC_-. \n✔'), minLength: 4000, maxLength: 9000 }),
  );
  fc.assert(
    fc.property(fc.uniqueArray(keyword, { minLength: 1, maxLength: 12 }), text, (keywords, text) => {
      const found: string[] = [];
      keywordIndex(keywords.map((k, n) => [k, n] as const)).scan(text, (values, end) => {
        for (const n of values) found.push(`${n}@${end}`);
      });
      assert.deepEqual(found.sort(), naive(keywords, text));
    }),
  );
});

test('keywords must be lower-case printable ASCII', () => {
  assert.throws(() => keywordIndex([['Token', 1]]), /lower-case printable ASCII/);
  assert.throws(() => keywordIndex([['clé', 1]]), /lower-case printable ASCII/);
});
