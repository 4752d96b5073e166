import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printsFileContents } from './git-content-readers.ts';

test('git commands that can print a file at some revision are recognised', () => {
  const cases: Array<[string, boolean]> = [
    ['git show HEAD:.env', true],
    ['git -C repo show HEAD~3', true],
    ['git -c core.pager=cat diff HEAD~1', true],
    ['git log -p', true],
    ['git log --patch -- .env', true],
    ['git log -L1,5:.env', true],
    ['git cat-file -p abc123', true],
    ['git grep SECRET HEAD~5', true],
    ['git stash show -p', true],
    ['/usr/bin/git archive HEAD', true],
    ['git log --oneline', false],
    ['git status', false],
    ['git log', false],
    ['git branch', false],
    ['echo git show', false],
  ];
  for (const [command, expected] of cases) assert.equal(printsFileContents(command), expected, command);
});
