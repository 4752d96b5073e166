import assert from 'node:assert/strict';
import { test } from 'node:test';
import { likeMatcher } from './like.ts';

test('like patterns: * spans any characters including /, the rest is literal', () => {
  const hidden = likeMatcher(['.env', '.env.*', '*/.env', '*.pem', '*id_rsa*', 'secrets/*']);
  const cases: Array<[string, boolean]> = [
    ['.env', true],
    ['.env.local', true],
    ['app/config/.env', true],
    ['.envrc', false],
    ['src/env.ts', false],
    ['certs/server.pem', true],
    ['server.pem.bak', false],
    ['home/.ssh/id_rsa.pub', true],
    ['secrets/a/b/c', true],
    ['secrets', false],
    ['x.env', false],
  ];
  for (const [path, expected] of cases) assert.equal(hidden(path), expected, path);
});

test('regular-expression characters in patterns are literal', () => {
  const match = likeMatcher(['a+b(1).[x]$']);
  assert.equal(match('a+b(1).[x]$'), true);
  assert.equal(match('aab(1)x[x]$'), false);
  assert.equal(likeMatcher([])('anything'), false);
});
