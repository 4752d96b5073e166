import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareVersions, latest } from '../src/compare.js';

test('the major part decides first', () => {
  assert.ok(compareVersions('2.0.0', '1.9.9') > 0);
  assert.ok(compareVersions('1.9.9', '2.0.0') < 0);
});

test('then the minor, then the patch', () => {
  assert.ok(compareVersions('1.3.0', '1.2.7') > 0);
  assert.ok(compareVersions('1.2.3', '1.2.4') < 0);
});

test('equal versions compare equal, a missing part counting as zero', () => {
  assert.equal(compareVersions('1.2.3', '1.2.3'), 0);
  assert.equal(compareVersions('1.2', '1.2.0'), 0);
});

test('latest picks the highest', () => {
  assert.equal(latest(['1.2.0', '1.3.0', '1.2.9']), '1.3.0');
  assert.throws(() => latest([]), RangeError);
});
