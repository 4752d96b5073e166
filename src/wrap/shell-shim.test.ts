import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readInvocation } from './shell-shim.ts';

test('the -c string is what is judged, however the options are clustered', () => {
  const cases: Array<[string, string[], string, string[]]> = [
    // Codex: a login shell with the command.
    ['bash', ['-lc', 'npm test'], 'npm test', ['--noprofile', '--norc', '-c', 'npm test']],
    // Claude Code's and others' order: -c, then -l, then the string.
    ['bash', ['-c', '-l', 'ls -la'], 'ls -la', ['--noprofile', '--norc', '-c', 'ls -la']],
    [
      'sh',
      ['-c', 'echo "$0" "$1"', 'name', 'arg'],
      'echo "$0" "$1"',
      ['-c', 'echo "$0" "$1"', 'name', 'arg'],
    ],
    ['sh', ['-ec', 'make'], 'make', ['-ec', 'make']],
    ['bash', ['--login', '-c', 'pwd'], 'pwd', ['--noprofile', '--norc', '-c', 'pwd']],
    [
      'bash',
      ['-o', 'pipefail', '-c', 'a | b'],
      'a | b',
      ['--noprofile', '--norc', '-o', 'pipefail', '-c', 'a | b'],
    ],
  ];
  for (const [name, args, command, real] of cases) {
    assert.deepEqual(readInvocation(name, args), { command, args: real }, `${name} ${args.join(' ')}`);
  }
});

test('a shell that reads commands from stdin or a terminal is judged as its own command line', () => {
  assert.deepEqual(readInvocation('bash', []), { command: 'bash', args: ['--noprofile', '--norc'] });
  assert.deepEqual(readInvocation('bash', ['-i']), {
    command: 'bash -i',
    args: ['--noprofile', '--norc', '-i'],
  });
  assert.deepEqual(readInvocation('sh', ['-s', 'a b']), { command: "sh -s 'a b'", args: ['-s', 'a b'] });
});

test('a script file is a program being started: passed through untouched, not judged', () => {
  assert.deepEqual(readInvocation('sh', ['/usr/bin/lsb_release', '-a']), {
    args: ['/usr/bin/lsb_release', '-a'],
  });
  assert.deepEqual(readInvocation('bash', ['-e', 'build.sh', '-c']), { args: ['-e', 'build.sh', '-c'] });
});

test('a -c without a string is judged as the whole line, and the real shell reports the error', () => {
  assert.equal(readInvocation('sh', ['-c']).command, 'sh -c');
});
