import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOutputBuffer } from './output-buffer.ts';

describe('createOutputBuffer', () => {
  it('keeps everything under the limit', () => {
    const buffer = createOutputBuffer(10);
    buffer.push(Buffer.from('hello'));
    buffer.push(Buffer.from('world'));
    assert.equal(buffer.text(), 'helloworld');
    assert.equal(buffer.truncated, false);
    assert.equal(buffer.dropped, 0);
  });

  it('keeps the head and counts what it drops', () => {
    const buffer = createOutputBuffer(8);
    buffer.push(Buffer.from('first '));
    buffer.push(Buffer.from('second '));
    buffer.push(Buffer.from('third'));
    assert.equal(buffer.text(), 'first se');
    assert.equal(buffer.truncated, true);
    assert.equal(buffer.dropped, 18 - 8);
  });

  it('leaves out a character the limit cuts through instead of mangling it', () => {
    const buffer = createOutputBuffer(5);
    buffer.push(Buffer.from('abcd€')); // € is three bytes: only its first fits
    assert.equal(buffer.text(), 'abcd');
    assert.equal(buffer.dropped, 2);
  });

  it('with a zero limit keeps nothing but still counts', () => {
    const buffer = createOutputBuffer(0);
    buffer.push(Buffer.from('abc'));
    assert.equal(buffer.text(), '');
    assert.equal(buffer.dropped, 3);
  });
});
