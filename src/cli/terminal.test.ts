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
  ];
  for (const [input, expected] of cases) assert.equal(forTerminal(input), expected, JSON.stringify(input));
});
