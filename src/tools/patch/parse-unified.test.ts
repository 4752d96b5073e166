import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePatch } from './parse.ts';

const lines = (...rows: string[]): string => rows.join('\n');

describe('unified diffs', () => {
  test('git diff with several files, an addition, a deletion and a rename with changes', () => {
    const parsed = parsePatch(
      lines(
        'diff --git a/src/x.ts b/src/x.ts',
        'index 83db48f..bf269f4 100644',
        '--- a/src/x.ts',
        '+++ b/src/x.ts',
        '@@ -1,3 +1,3 @@ function f() {',
        ' a',
        '-b',
        '+B',
        ' c',
        '@@ -10 +10,2 @@',
        ' j',
        '+k',
        'diff --git a/new.txt b/new.txt',
        'new file mode 100644',
        '--- /dev/null',
        '+++ b/new.txt',
        '@@ -0,0 +1,2 @@',
        '+hello',
        '+world',
        'diff --git a/gone.txt b/gone.txt',
        'deleted file mode 100644',
        '--- a/gone.txt',
        '+++ /dev/null',
        '@@ -1 +0,0 @@',
        '-bye',
        'diff --git a/old name.txt b/new name.txt',
        'similarity index 90%',
        'rename from old name.txt',
        'rename to new name.txt',
        '--- a/old name.txt',
        '+++ b/new name.txt',
        '@@ -1 +1 @@',
        '-x',
        '+y',
        '',
      ),
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    assert.equal(parsed.value.format, 'unified');
    assert.deepEqual(parsed.value.ops, [
      {
        kind: 'update',
        path: 'src/x.ts',
        hunks: [
          {
            oldStart: 1,
            endOfFile: false,
            lines: [
              { op: ' ', text: 'a' },
              { op: '-', text: 'b' },
              { op: '+', text: 'B' },
              { op: ' ', text: 'c' },
            ],
          },
          {
            oldStart: 10,
            endOfFile: false,
            lines: [
              { op: ' ', text: 'j' },
              { op: '+', text: 'k' },
            ],
          },
        ],
      },
      { kind: 'add', path: 'new.txt', lines: ['hello', 'world'], noNewlineAtEnd: false },
      { kind: 'delete', path: 'gone.txt' },
      {
        kind: 'update',
        path: 'old name.txt',
        moveTo: 'new name.txt',
        hunks: [
          {
            oldStart: 1,
            endOfFile: false,
            lines: [
              { op: '-', text: 'x' },
              { op: '+', text: 'y' },
            ],
          },
        ],
      },
    ]);
  });

  test('a pure git rename has no hunks', () => {
    const parsed = parsePatch(
      lines('diff --git a/a.txt b/b.txt', 'similarity index 100%', 'rename from a.txt', 'rename to b.txt'),
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    assert.deepEqual(parsed.value.ops, [{ kind: 'update', path: 'a.txt', moveTo: 'b.txt', hunks: [] }]);
  });

  test('plain diff -u headers without a/ b/ prefixes and with timestamps', () => {
    const parsed = parsePatch(
      lines('--- x.txt\t2024-01-01 10:00:00', '+++ x.txt\t2024-01-02 10:00:00', '@@ -1 +1 @@', '-a', '+b'),
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    assert.deepEqual(parsed.value.ops[0], {
      kind: 'update',
      path: 'x.txt',
      hunks: [
        {
          oldStart: 1,
          endOfFile: false,
          lines: [
            { op: '-', text: 'a' },
            { op: '+', text: 'b' },
          ],
        },
      ],
    });
  });

  test('"\\ No newline at end of file" marks the side it follows', () => {
    const parsed = parsePatch(
      lines('--- a/n.txt', '+++ b/n.txt', '@@ -1 +1 @@', '-old', '\\ No newline at end of file', '+new', ''),
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    const op = parsed.value.ops[0];
    assert.ok(op?.kind === 'update');
    assert.equal(op.hunks[0]?.oldNoNewline, true);
    assert.equal(op.hunks[0]?.newNoNewline, undefined);
  });

  test('wrong line counts in the header do not cut a hunk short', () => {
    const parsed = parsePatch(lines('--- a/c.txt', '+++ b/c.txt', '@@ -1,1 +1,1 @@', ' a', '-b', '+c', ' d'));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    const op = parsed.value.ops[0];
    assert.ok(op?.kind === 'update');
    assert.equal(op.hunks[0]?.lines.length, 4);
  });

  test('quoted git paths are unquoted', () => {
    const parsed = parsePatch(
      lines('--- "a/t\\303\\251st file.txt"', '+++ "b/t\\303\\251st file.txt"', '@@ -1 +1 @@', '-a', '+b'),
    );
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    assert.equal(parsed.value.ops[0]?.path, 'tést file.txt');
  });

  const errors: Array<{ name: string; patch: string; error: RegExp }> = [
    { name: 'not a patch at all', patch: 'please fix the bug', error: /not a patch/ },
    {
      name: 'a hunk without a file header',
      patch: lines('@@ -1 +1 @@', '-a', '+b'),
      error: /before any "--- a\/path"/,
    },
    {
      name: 'a binary patch',
      patch: lines('diff --git a/i.png b/i.png', 'Binary files a/i.png and b/i.png differ'),
      error: /binary patches are not supported/,
    },
    {
      name: 'a hunk broken by an unprefixed line',
      patch: lines('--- a/x', '+++ b/x', '@@ -1,3 +1,3 @@', ' a', 'garbage', '-b', '+c'),
      error: /outside any hunk/,
    },
  ];
  for (const { name, patch, error } of errors) {
    test(`refused: ${name}`, () => {
      const parsed = parsePatch(patch);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.error, error);
    });
  }
});
