import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChangeLog, unifiedDiff } from './change-log.ts';

test('the net effect of several edits to one file is one entry', () => {
  const log = new ChangeLog();
  log.record({ path: 'a.js', kind: 'modified', before: 'one\ntwo\n', after: 'one\nTWO\n' });
  log.record({ path: 'a.js', kind: 'modified', before: 'one\nTWO\n', after: 'one\nTWO\nthree\n' });
  assert.deepEqual(log.summary(), [{ path: 'a.js', kind: 'modified', added: 2, removed: 1 }]);
});

test('a file added then deleted leaves no trace; reverting an edit leaves none either', () => {
  const log = new ChangeLog();
  log.record({ path: 'tmp.txt', kind: 'added', after: 'x\n' });
  log.record({ path: 'tmp.txt', kind: 'deleted', before: 'x\n' });
  log.record({ path: 'b.js', kind: 'modified', before: 'a\n', after: 'b\n' });
  log.record({ path: 'b.js', kind: 'modified', before: 'b\n', after: 'a\n' });
  assert.deepEqual(log.summary(), []);
});

test('moves, additions and deletions are reported with their kind', () => {
  const log = new ChangeLog();
  log.record({ path: 'new.js', kind: 'added', after: '1\n2\n' });
  log.record({ path: 'old.js', kind: 'deleted', before: 'gone\n' });
  log.record({ path: 'to.js', kind: 'moved', from: 'from.js', before: 'same\n', after: 'same\nmore\n' });
  assert.deepEqual(log.summary(), [
    { path: 'from.js', kind: 'deleted', added: 0, removed: 1 },
    { path: 'new.js', kind: 'added', added: 2, removed: 0 },
    { path: 'old.js', kind: 'deleted', added: 0, removed: 1 },
    { path: 'to.js', kind: 'moved', from: 'from.js', added: 2, removed: 0 },
  ]);
});

test('unifiedDiff names /dev/null for added and deleted files', () => {
  assert.match(
    unifiedDiff('n.txt', undefined, 'hi\n'),
    /^--- \/dev\/null\n\+\+\+ b\/n\.txt\n@@ -0,0 \+1,1 @@\n\+hi\n/,
  );
  assert.match(unifiedDiff('d.txt', 'bye\n', undefined), /^--- a\/d\.txt\n\+\+\+ \/dev\/null\n/);
});
