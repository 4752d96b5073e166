import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forTerminal } from './terminal.ts';

test('escape sequences from untrusted text never reach the terminal', () => {
  const cases: Array<[string, string]> = [
    ['plain\ttext\nline', 'plain\ttext\nline'],
    ['\u001b[31mred\u001b[0m', 'red'],
    ['\u001b[2J\u001b[Hcleared', 'cleared'],
    ['title\u001b]0;pwned\u0007 set', 'title set'],
    ['clip\u001b]52;c;ZXZpbA==\u001b\\board', 'clipboard'],
    ['carriage\rreturn', 'carriagereturn'],
    ['c1\u009b31mcsi', 'c131mcsi'],
    ['bell\u0007 and nul\u0000', 'bell and nul'],
    // Bidirectional controls reorder what a line shows: 'calc-1\u202e1-clac' would read as two ids.
    ['calc-1\u202e1-gnp.exe\u202c', 'calc-11-gnp.exe'],
    ['\u2066isolate\u2069 \u200fmark\u200e \u061calm', 'isolate mark alm'],
  ];
  for (const [input, expected] of cases) assert.equal(forTerminal(input), expected, JSON.stringify(input));
});
