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

  it('keeps the head and the tail and counts what it drops between them', () => {
    const buffer = createOutputBuffer(8);
    buffer.push(Buffer.from('first '));
    buffer.push(Buffer.from('second '));
    buffer.push(Buffer.from('third'));
    assert.equal(buffer.text(), 'firs\n[… 10 bytes omitted …]\nhird');
    assert.equal(buffer.truncated, true);
    assert.equal(buffer.dropped, 18 - 8);
  });

  it('the tail follows output that arrives in many small chunks', () => {
    const buffer = createOutputBuffer(6);
    for (const c of 'abcdefghijklmnop') buffer.push(Buffer.from(c));
    assert.equal(buffer.text(), 'abc\n[… 10 bytes omitted …]\nnop');
  });

  it('leaves out characters cut at either edge of the gap instead of mangling them', () => {
    const buffer = createOutputBuffer(10);
    buffer.push(Buffer.from('abcd€xxxxxxx€yzw')); // € is three bytes: both edges cut through one
    assert.equal(buffer.text(), 'abcd\n[… 10 bytes omitted …]\nyzw');
    assert.equal(buffer.dropped, 10);
  });

  it('with a zero limit keeps nothing but still counts', () => {
    const buffer = createOutputBuffer(0);
    buffer.push(Buffer.from('abc'));
    assert.equal(buffer.text(), '\n[… 3 bytes omitted …]\n');
    assert.equal(buffer.dropped, 3);
  });
});
