import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBashParser } from './bash-parser.ts';
import { plainCommand } from './plain-command.ts';

test('one simple command of literal words is plain; anything bash would do more with is not', async () => {
  const parse = await createBashParser();
  assert.deepEqual(plainCommand(parse, 'git push origin warden/fix'), [
    'git',
    'push',
    'origin',
    'warden/fix',
  ]);
  assert.deepEqual(plainCommand(parse, 'git push \'origin\' "HEAD:warden/x"\n'), [
    'git',
    'push',
    'origin',
    'HEAD:warden/x',
  ]);
  for (const source of [
    'git push origin x &',
    'git push origin x; id',
    'git push origin x && id',
    'git push origin x | tee out',
    'git push origin x > out',
    'A=1 git push origin x',
    'git push origin "$BRANCH"',
    'git push origin $(cat f)',
    'git push origin `cat f`',
    'git push origin x*',
    'git push origin {a,b}',
    'git push origin x # c',
    '(git push origin x)',
    'git push origin "x',
    '',
  ]) {
    assert.equal(plainCommand(parse, source), undefined, source);
  }
});

test('braces are plain only inside quotes', async () => {
  const parse = await createBashParser();
  assert.deepEqual(plainCommand(parse, "echo '{a,b}'"), ['echo', '{a,b}']);
  assert.equal(plainCommand(parse, 'echo x{a..c}'), undefined);
});

test('a double-quoted word keeps its line breaks and a lone $, as bash does', async () => {
  const parse = await createBashParser();
  assert.deepEqual(plainCommand(parse, 'echo "one\n\n  two" "cost: 5$" "a\\\nb" "q\\"q"'), [
    'echo',
    'one\n\n  two',
    'cost: 5$',
    'ab',
    'q"q',
  ]);
});
