import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FileChange } from '../types.ts';
import { parsePatch } from './parse.ts';
import { type FileState, pathsOf, planPatch } from './plan.ts';

const codex = (...rows: string[]): string => ['*** Begin Patch', ...rows, '*** End Patch'].join('\n');

function plan(patchText: string, files: Record<string, FileState>) {
  const parsed = parsePatch(patchText);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return planPatch(parsed.value, new Map(Object.entries(files)));
}

const plans: Array<{ name: string; patch: string; files: Record<string, FileState>; changes: FileChange[] }> =
  [
    {
      name: 'add a new file, with a final newline',
      patch: codex('*** Add File: n.txt', '+a', '+b'),
      files: { 'n.txt': null },
      changes: [{ path: 'n.txt', kind: 'added', after: 'a\nb\n' }],
    },
    {
      name: 'delete a file, keeping its text for the diff',
      patch: codex('*** Delete File: d.txt'),
      files: { 'd.txt': 'bye\n' },
      changes: [{ path: 'd.txt', kind: 'deleted', before: 'bye\n' }],
    },
    {
      name: 'delete a binary file',
      patch: codex('*** Delete File: i.png'),
      files: { 'i.png': { problem: 'is a binary file' } },
      changes: [{ path: 'i.png', kind: 'deleted' }],
    },
    {
      name: 'update and move',
      patch: codex('*** Update File: a.txt', '*** Move to: b/a.txt', '@@', '-x', '+y'),
      files: { 'a.txt': 'x\n', 'b/a.txt': null },
      changes: [{ path: 'b/a.txt', kind: 'moved', from: 'a.txt', before: 'x\n', after: 'y\n' }],
    },
    {
      name: 'a pure unified rename',
      patch: ['diff --git a/a.txt b/b.txt', 'rename from a.txt', 'rename to b.txt'].join('\n'),
      files: { 'a.txt': 'same\n', 'b.txt': null },
      changes: [{ path: 'b.txt', kind: 'moved', from: 'a.txt', before: 'same\n', after: 'same\n' }],
    },
    {
      name: 'operations see the ones before them: add, then update the same file',
      patch: codex('*** Add File: s.txt', '+one', '*** Update File: s.txt', '@@', '-one', '+two'),
      files: { 's.txt': null },
      changes: [
        { path: 's.txt', kind: 'added', after: 'one\n' },
        { path: 's.txt', kind: 'modified', before: 'one\n', after: 'two\n' },
      ],
    },
  ];

for (const { name, patch, files, changes } of plans) {
  test(`plans: ${name}`, () => {
    const result = plan(patch, files);
    assert.ok(result.ok, result.ok ? '' : result.error);
    assert.deepEqual(result.value, changes);
  });
}

const refusals: Array<{ name: string; patch: string; files: Record<string, FileState>; error: RegExp }> = [
  {
    name: 'adding a file that exists',
    patch: codex('*** Add File: e.txt', '+x'),
    files: { 'e.txt': 'here\n' },
    error: /e\.txt: cannot add the file, it already exists/,
  },
  {
    name: 'deleting a missing file',
    patch: codex('*** Delete File: m.txt'),
    files: { 'm.txt': null },
    error: /m\.txt: cannot delete the file, it does not exist/,
  },
  {
    name: 'updating a missing file',
    patch: codex('*** Update File: m.txt', '@@', '-a', '+b'),
    files: { 'm.txt': null },
    error: /m\.txt: cannot update the file, it does not exist/,
  },
  {
    name: 'moving onto an existing file',
    patch: codex('*** Update File: a.txt', '*** Move to: b.txt', '@@', '-x', '+y'),
    files: { 'a.txt': 'x\n', 'b.txt': 'taken\n' },
    error: /cannot move to b\.txt, which already exists/,
  },
  {
    name: 'updating a binary file',
    patch: codex('*** Update File: i.png', '@@', '-a', '+b'),
    files: { 'i.png': { problem: 'is a binary file; patches change text only' } },
    error: /i\.png: is a binary file/,
  },
  {
    name: 'a second file whose hunk fails, after a first that would apply',
    patch: codex('*** Update File: ok.txt', '@@', '-a', '+b', '*** Update File: bad.txt', '@@', '-zzz', '+y'),
    files: { 'ok.txt': 'a\n', 'bad.txt': 'q\n' },
    error: /^bad\.txt: hunk 1 of 1: these lines were not found:\n {2}\|zzz/,
  },
];

for (const { name, patch, files, error } of refusals) {
  test(`refuses: ${name}`, () => {
    const result = plan(patch, files);
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.error, error);
  });
}

test('pathsOf lists every path once, destinations of moves included', () => {
  const parsed = parsePatch(
    codex(
      '*** Update File: a',
      '*** Move to: b',
      '@@',
      '-x',
      '+y',
      '*** Delete File: a',
      '*** Add File: c',
      '+z',
    ),
  );
  assert.ok(parsed.ok);
  assert.deepEqual(pathsOf(parsed.value), ['a', 'b', 'c']);
});
