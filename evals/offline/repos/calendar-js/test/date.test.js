import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daysInMonth, formatDate, parseDate } from '../src/date.js';

test('parses a plain date', () => {
  assert.deepEqual(parseDate('2023-07-14'), { year: 2023, month: 7, day: 14 });
});

test('formats with zero padding', () => {
  assert.equal(formatDate({ year: 987, month: 3, day: 5 }), '0987-03-05');
});

test('thirty days hath September, April, June and November', () => {
  assert.equal(daysInMonth(2023, 9), 30);
  assert.equal(daysInMonth(2023, 12), 31);
  assert.throws(() => parseDate('2023-04-31'), RangeError);
});

test('29 February exists in a leap year', () => {
  assert.deepEqual(parseDate('2024-02-29'), { year: 2024, month: 2, day: 29 });
  assert.throws(() => parseDate('2023-02-29'), RangeError);
});

test('1900 was not a leap year', () => {
  assert.throws(() => parseDate('1900-02-29'), RangeError);
});

test('rejects what is not a date', () => {
  assert.throws(() => parseDate('2023-7-14'), RangeError);
  assert.throws(() => parseDate('2023-13-01'), RangeError);
  assert.throws(() => parseDate('2023-00-10'), RangeError);
});
