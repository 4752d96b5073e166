import assert from 'node:assert/strict';
import { test } from 'node:test';
import { intentsOf } from './intents.ts';

test('install commands become dependency actions, one per package, versions stripped', () => {
  const cases: Array<[string, Array<[string, string]>]> = [
    ['npm install left-pad', [['npm', 'left-pad']]],
    [
      'npm i -D @types/node@24 lodash@^4',
      [
        ['npm', '@types/node'],
        ['npm', 'lodash'],
      ],
    ],
    ['npm install', []],
    ['npm test', []],
    ['yarn add react', [['npm', 'react']]],
    ['pnpm add -w zod', [['npm', 'zod']]],
    [
      'pip install requests==2.31 "flask[async]"',
      [
        ['pypi', 'requests'],
        ['pypi', '"flask'],
      ],
    ],
    ['pip install -r requirements.txt', []],
    ['cargo add serde@1', [['crates', 'serde']]],
    ['go get github.com/x/y@v1.2.0', [['go', 'github.com/x/y']]],
    ['/usr/bin/npm install evil', [['npm', 'evil']]],
  ];
  for (const [command, expected] of cases) {
    assert.deepEqual(
      intentsOf(command).map((a) => (a.kind === 'dependency.add' ? [a.ecosystem, a.name] : a.kind)),
      expected,
      command,
    );
  }
});

test('git push becomes a push action per destination branch, force spotted however spelled', () => {
  const cases: Array<[string, Array<[string, boolean]>]> = [
    ['git push origin warden/fix', [['warden/fix', false]]],
    ['git push origin HEAD:refs/heads/main', [['main', false]]],
    ['git push -f origin main', [['main', true]]],
    ['git push origin +main', [['main', true]]],
    [
      'git -C repo push --force-with-lease origin a b',
      [
        ['a', true],
        ['b', true],
      ],
    ],
    ['git push', [['HEAD', false]]],
    ['git status', []],
  ];
  for (const [command, expected] of cases) {
    assert.deepEqual(
      intentsOf(command).map((a) => (a.kind === 'git.push' ? [a.branch, a.force] : a.kind)),
      expected,
      command,
    );
  }
});
