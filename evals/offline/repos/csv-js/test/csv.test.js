import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, parseLine, stringify } from '../src/csv.js';

test('splits plain fields', () => {
  assert.deepEqual(parseLine('a,b,c'), ['a', 'b', 'c']);
  assert.deepEqual(parseLine('a,,c,'), ['a', '', 'c', '']);
});

test('a quoted field keeps its commas', () => {
  assert.deepEqual(parseLine('"Smith, Ann",Oslo'), ['Smith, Ann', 'Oslo']);
});

test('parses every line, CRLF or LF, skipping blank ones', () => {
  assert.deepEqual(parse('name,city\r\nAnn,Oslo\n\nBo,Rome\n'), [
    ['name', 'city'],
    ['Ann', 'Oslo'],
    ['Bo', 'Rome'],
  ]);
});

test('stringify quotes what needs quoting and doubles quotes', () => {
  assert.equal(stringify([['a,b', 'c']]), '"a,b",c\n');
  assert.equal(stringify([['say "hi"', 1]]), '"say ""hi""",1\n');
});
