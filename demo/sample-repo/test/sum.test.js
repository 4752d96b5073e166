import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sum, total } from '../src/sum.js';

test('sum adds two amounts', () => {
  assert.equal(sum(2, 3), 5);
});

test('total adds every line of an invoice', () => {
  assert.equal(total([{ amount: 10 }, { amount: 5 }, { amount: 2.5 }]), 17.5);
});
