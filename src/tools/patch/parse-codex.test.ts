import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePatch } from './parse.ts';
import type { FileOp } from './types.ts';

const lines = (...rows: string[]): string => rows.join('\n');

describe('the Codex format', () => {
  const cases: Array<{ name: string; patch: string; ops: FileOp[] }> = [
    {
      name: 'add, delete and update with an anchor and a move',
      patch: lines(
        '*** Begin Patch',
        '*** Add File: src/new.ts',
        '+export const x = 1;',
        '+',
        '*** Delete File: src/old.ts',
        '*** Update File: src/app.ts',
        '*** Move to: src/main.ts',
        '@@ function main() {',
        ' const a = 1;',
        '-const b = 2;',
        '+const b = 3;',
        '*** End Patch',
      ),
      ops: [
        { kind: 'add', path: 'src/new.ts', lines: ['export const x = 1;', ''] },
        { kind: 'delete', path: 'src/old.ts' },
        {
          kind: 'update',
          path: 'src/app.ts',
          moveTo: 'src/main.ts',
          hunks: [
            {
              anchor: 'function main() {',
              endOfFile: false,
              lines: [
                { op: ' ', text: 'const a = 1;' },
                { op: '-', text: 'const b = 2;' },
                { op: '+', text: 'const b = 3;' },
              ],
            },
          ],
        },
      ],
    },
    {
      name: 'the first hunk may omit @@; later ones use a bare @@; End of File is kept',
      patch: lines(
        '*** Begin Patch',
        '*** Update File: a.txt',
        ' one',
        '-two',
        '+TWO',
        '@@',
        ' nine',
        '-ten',
        '+TEN',
        '*** End of File',
        '*** End Patch',
      ),
      ops: [
        {
          kind: 'update',
          path: 'a.txt',
          hunks: [
            {
              endOfFile: false,
              lines: [
                { op: ' ', text: 'one' },
                { op: '-', text: 'two' },
                { op: '+', text: 'TWO' },
              ],
            },
            {
              endOfFile: true,
              lines: [
                { op: ' ', text: 'nine' },
                { op: '-', text: 'ten' },
                { op: '+', text: 'TEN' },
              ],
            },
          ],
        },
      ],
    },
    {
      name: 'a heredoc wrapper, CRLF line ends and padded markers are tolerated; a blank line is empty context',
      patch: [
        "<<'EOF'",
        ' *** Begin Patch ',
        '*** Update File: b.txt',
        '@@',
        ' a',
        '',
        '-b',
        '*** End Patch',
        'EOF',
      ].join('\r\n'),
      ops: [
        {
          kind: 'update',
          path: 'b.txt',
          hunks: [
            {
              endOfFile: false,
              lines: [
                { op: ' ', text: 'a' },
                { op: ' ', text: '' },
                { op: '-', text: 'b' },
              ],
            },
          ],
        },
      ],
    },
  ];
  for (const { name, patch, ops } of cases) {
    test(name, () => {
      const parsed = parsePatch(patch);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
      assert.equal(parsed.value.format, 'codex');
      assert.deepEqual(parsed.value.ops, ops);
    });
  }

  const errors: Array<{ name: string; patch: string; error: RegExp }> = [
    {
      name: 'no End Patch',
      patch: lines('*** Begin Patch', '*** Delete File: a'),
      error: /must end with "\*\*\* End Patch"/,
    },
    {
      name: 'an unknown header',
      patch: lines('*** Begin Patch', '*** Frobnicate File: a', '*** End Patch'),
      error: /line 2: expected "\*\*\* Add File: "/,
    },
    {
      name: 'an update without hunks',
      patch: lines('*** Begin Patch', '*** Update File: a.txt', '*** End Patch'),
      error: /"\*\*\* Update File: a\.txt" has no hunks/,
    },
    {
      name: 'a hunk line without a prefix',
      patch: lines('*** Begin Patch', '*** Update File: a.txt', '@@', 'oops', '*** End Patch'),
      error: /line 4: in a\.txt: a hunk line must start with/,
    },
    { name: 'no files', patch: lines('*** Begin Patch', '*** End Patch'), error: /changes no files/ },
  ];
  for (const { name, patch, error } of errors) {
    test(`refused: ${name}`, () => {
      const parsed = parsePatch(patch);
      assert.equal(parsed.ok, false);
      if (!parsed.ok) assert.match(parsed.error, error);
    });
  }
});
