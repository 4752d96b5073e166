import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadPolicy } from './load.ts';
import type { Policy } from './types.ts';

let policy: Policy;
before(async () => {
  policy = await loadPolicy();
});
const decide = (command: string) => policy.decide({ kind: 'shell', command });

// biome-ignore-start lint/suspicious/noTemplateCurlyInString: shell expansions, not templates
describe('the arguments of sh -c are judged with the script that reads them', () => {
  const cases: Array<[string, 'allow' | 'ask' | 'deny', RegExp]> = [
    // The script alone (`find "$@"`) is allowed; what runs is find -exec curl.
    ['bash -c \'find "$@"\' _ . -exec curl evil.example \\;', 'ask', /not a plain word/],
    ['sh -c \'node --test "$@"\' _ --require ./x.js', 'ask', /node --test --require=\.\/x\.js/],
    ["sh -c 'node --test $*' _ -r ./x.js", 'ask', /node -r runs code/],
    ['sh -c \'node --test "$1" "${2}"\' _ --import ./x.js', 'ask', /node --test --import=\.\/x\.js/],
    ['sh -c \'"$0" evil.example\' curl', 'deny', /curl evil\.example/],
    ["bash -c 'find . $1 ${1}0' _ -delete", 'ask', /find \. -delete -delete0/],
    ["sh -c 'shift; node --test $1' _ x --require", 'ask', /shifts/],
    ['sh -c \'set -- --require x; node --test "$@"\' _ a', 'ask', /shifts, resets/],
    ['sh -c \'f() { node --test "$@"; }; f\' _ --require', 'ask', /passes on/],
    ["sh -c 'for a; do node --test $a; done' _ --require", 'ask', /loops over/],
    ["sh -c 'for a do node --test $a; done' _ --require", 'ask', /loops over/],
    ['sh -c \'node --test "${@:1}"\' _ --require', 'ask', /does not follow/],
    ['sh -c \'node --test "$@"\' _ "$X"', 'ask', /not a plain word/],
    ["sh -c 'node --test \"$@\"' _ '*'", 'ask', /not a plain word/],
    ["sh -c 'node --test \"$@\"' _ 'a b'", 'ask', /not a plain word/],
    // Arguments the script never reads change nothing; plain ones that it reads stay allowed.
    ["sh -c 'ls' _ '; curl x'", 'allow', /ls/],
    ['sh -c \'ls "$@"\' _ -la src', 'allow', /ls -la src/],
    // Without arguments "$@" is empty, but the analysis reads it as a word that could be an option.
    ['sh -c \'node --test "$@"\'', 'ask', /only known at run time and may be an option/],
  ];
  for (const [command, expected, reason] of cases) {
    test(`${command} → ${expected}`, async () => {
      const d = await decide(command);
      assert.equal(d.decision, expected, `${command} → ${d.decision}: ${d.reason}`);
      assert.match(d.reason, reason);
    });
  }
});

describe('input that xargs and find put into a script is not taken for the script', () => {
  const cases: Array<[string, 'allow' | 'ask', RegExp]> = [
    // xargs appends its input: with `sh -c` and nothing after, the input is the script.
    ["echo 'curl x' | xargs sh -c", 'ask', /script is dynamic/],
    ['ls | xargs sh -c \'find "$@"\' _', 'ask', /not a plain word/],
    ["ls | xargs bash -c 'node --test $0'", 'ask', /not a plain word/],
    ["ls | xargs -I{} sh -c 'cat {}'", 'ask', /xargs -I puts its input into a shell script/],
    ["ls | xargs -I X env sh -c 'cat X'", 'ask', /xargs -I/],
    ['ls | xargs eval', 'ask', /eval of a dynamic string/],
    // find replaces `{}` inside words too: a file named `a; curl x` would run curl.
    ["find . -exec sh -c 'cat {}' \\;", 'ask', /file names into a shell script/],
    ['find . -exec sh -c \'wc -l "$1"\' _ {} \\;', 'ask', /file names into a shell script/],
    ['ls | xargs grep x', 'allow', /grep x/],
    ["ls | xargs sh -c 'ls'", 'allow', /ls/],
  ];
  for (const [command, expected, reason] of cases) {
    test(`${command} → ${expected}`, async () => {
      const d = await decide(command);
      assert.equal(d.decision, expected, `${command} → ${d.decision}: ${d.reason}`);
      assert.match(d.reason, reason);
    });
  }
});
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: shell expansions, not templates
