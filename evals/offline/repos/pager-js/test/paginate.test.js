import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageCount, paginate } from '../src/paginate.js';

const letters = [...'abcdefg'];

test('seven items at five a page make two pages', () => {
  assert.equal(pageCount(7, 5), 2);
  assert.deepEqual(paginate(letters, 1, 5).items, ['a', 'b', 'c', 'd', 'e']);
  assert.equal(paginate(letters, 1, 5).hasNext, true);
});

test('the last page holds the rest', () => {
  const last = paginate(letters, 2, 5);
  assert.deepEqual(last.items, ['f', 'g']);
  assert.equal(last.hasNext, false);
  assert.equal(last.hasPrevious, true);
});

test('an empty list still has one, empty, page', () => {
  assert.equal(pageCount(0, 5), 1);
  assert.deepEqual(paginate([], 1, 5), { items: [], page: 1, pages: 1, hasPrevious: false, hasNext: false });
});

test('rejects a page out of range and a page size that is not positive', () => {
  assert.throws(() => paginate(letters, 3, 5), RangeError);
  assert.throws(() => paginate(letters, 0, 5), RangeError);
  assert.throws(() => pageCount(7, 0), RangeError);
});
