import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyHunks } from './apply-hunks.ts';
import type { Hunk, HunkLine } from './types.ts';

/** A hunk from diff-style rows: ' ctx', '-old', '+new'. */
function hunk(rows: string[], extra: Partial<Hunk> = {}): Hunk {
  const lines = rows.map((row): HunkLine => ({ op: row[0] as HunkLine['op'], text: row.slice(1) }));
  return { lines, endOfFile: false, ...extra };
}

const file = (...rows: string[]): string => `${rows.join('\n')}\n`;

const applies: Array<{ name: string; before: string; hunks: Hunk[]; after: string }> = [
  {
    name: 'a simple replacement',
    before: file('a', 'b', 'c'),
    hunks: [hunk([' a', '-b', '+B', ' c'])],
    after: file('a', 'B', 'c'),
  },
  {
    name: 'several hunks in order: a later one is looked for only after the one before',
    before: file('y', 'a', 'b', 'y', 'c'),
    hunks: [hunk([' a', '-b', '+B']), hunk(['-y', '+Y'])],
    after: file('y', 'a', 'B', 'Y', 'c'),
  },
  {
    name: 'an @@ anchor picks among repeated lines',
    before: file('def f():', '    pass', 'def g():', '    pass'),
    hunks: [hunk(['-    pass', '+    return 1'], { anchor: 'def g():' })],
    after: file('def f():', '    pass', 'def g():', '    return 1'),
  },
  {
    name: 'trailing whitespace in the file does not stop a match',
    before: 'keep  \nold\t\n',
    hunks: [hunk([' keep', '-old', '+new'])],
    after: 'keep  \nnew\n',
  },
  {
    name: 'indentation differences match at the trimmed level',
    before: file('    if (x) {', '        go();', '    }'),
    hunks: [hunk([' if (x) {', '-    go();', '+    stop();', ' }'])],
    after: file('    if (x) {', '    stop();', '    }'),
  },
  {
    name: 'typographic quotes and dashes in the file match ASCII in the patch',
    before: file('say “hi” — now', 'end'),
    hunks: [hunk([' say "hi" - now', '-end', '+END'])],
    after: file('say “hi” — now', 'END'),
  },
  {
    name: 'a CRLF file stays CRLF, added lines included',
    before: 'one\r\ntwo\r\nthree\r\n',
    hunks: [hunk([' one', '-two', '+2', '+2.5', ' three'])],
    after: 'one\r\n2\r\n2.5\r\nthree\r\n',
  },
  {
    name: 'a file without a final newline keeps lacking one',
    before: 'a\nb',
    hunks: [hunk([' a', '-b', '+c'])],
    after: 'a\nc',
  },
  {
    name: 'lines added after a last line without newline get one between them',
    before: 'a\nb',
    hunks: [hunk([' b', '+c'])],
    after: 'a\nb\nc',
  },
  {
    name: 'a unified "\\ No newline" on the new side removes the final newline',
    before: file('a', 'b'),
    hunks: [hunk([' a', '-b', '+c'], { oldStart: 1, newNoNewline: true })],
    after: 'a\nc',
  },
  {
    name: 'a unified "\\ No newline" on the old side only adds the final newline',
    before: 'a\nb',
    hunks: [hunk([' a', '-b', '+c'], { oldStart: 1, oldNoNewline: true })],
    after: 'a\nc\n',
  },
  {
    name: 'End of File matches the last lines even when they also occur earlier',
    before: file('end', 'middle', 'end'),
    hunks: [hunk(['-end', '+END'], { endOfFile: true })],
    after: file('end', 'middle', 'END'),
  },
  {
    name: 'a pure insertion after an anchor goes right after it',
    before: file('import a;', 'body'),
    hunks: [hunk(['+import b;'], { anchor: 'import a;' })],
    after: file('import a;', 'import b;', 'body'),
  },
  {
    name: 'a pure insertion without anchor goes at the end, as in Codex',
    before: file('a'),
    hunks: [hunk(['+z'])],
    after: file('a', 'z'),
  },
  {
    name: 'a unified pure insertion goes after its stated line',
    before: file('1', '2', '3'),
    hunks: [hunk(['+2.5'], { oldStart: 2 })],
    after: file('1', '2', '2.5', '3'),
  },
  {
    name: 'unified: repeated lines pick the one near the stated line',
    before: file('t', 'dup', 't', 'dup', 't'),
    hunks: [hunk(['-dup', '+DUP'], { oldStart: 4 })],
    after: file('t', 'dup', 't', 'DUP', 't'),
  },
  {
    name: 'unified: wrong line numbers still apply by content',
    before: file('a', 'b', 'c'),
    hunks: [hunk([' a', '-b', '+B'], { oldStart: 57 })],
    after: file('a', 'B', 'c'),
  },
  {
    name: 'a blank line left between hunks is dropped when it is what fails to match',
    before: file('a', 'b', 'c'),
    hunks: [hunk([' a', '-b', '+B', ' '])],
    after: file('a', 'B', 'c'),
  },
  {
    name: 'deleting every line leaves an empty file',
    before: file('only'),
    hunks: [hunk(['-only'])],
    after: '',
  },
];

for (const { name, before, hunks, after } of applies) {
  test(`applies: ${name}`, () => {
    const result = applyHunks('f.txt', before, hunks);
    assert.ok(result.ok, result.ok ? '' : result.error);
    assert.equal(result.value, after);
  });
}

const refuses: Array<{ name: string; before: string; hunks: Hunk[]; error: RegExp }> = [
  {
    name: 'context that is not in the file, showing the lines that failed',
    before: file('a', 'b'),
    hunks: [hunk([' a', '-x', '+y'])],
    error: /^f\.txt: hunk 1 of 1: these lines were not found:\n {2}\|a\n {2}\|x\nNothing was changed/,
  },
  {
    name: 'context that matches in several places, naming them',
    before: file('x', 'return 1;', 'y', 'return 1;'),
    hunks: [hunk(['-return 1;', '+return 2;'])],
    error: /hunk 1 of 1: these lines match at 2 places \(lines 2, 4\).*@@ <line>/s,
  },
  {
    name: 'hunks out of order: the second is looked for after the first',
    before: file('a', 'b', 'c', 'd'),
    hunks: [hunk([' c', '-d', '+D']), hunk([' a', '-b', '+B'])],
    error: /hunk 2 of 2: these lines were not found after line 4 \(hunks apply in order\)/,
  },
  {
    name: 'an @@ anchor that is not in the file',
    before: file('a'),
    hunks: [hunk(['-a', '+b'], { anchor: 'class Missing' })],
    error: /the @@ line "class Missing" was not found/,
  },
  {
    name: 'End of File when the lines are not at the end',
    before: file('a', 'b'),
    hunks: [hunk(['-a', '+A'], { endOfFile: true })],
    error: /not found at the end of the file/,
  },
];

for (const { name, before, hunks, error } of refuses) {
  test(`refuses: ${name}`, () => {
    const result = applyHunks('f.txt', before, hunks);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, error);
  });
}
