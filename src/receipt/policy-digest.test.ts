import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePolicyFile } from '../policy/policy-file.ts';
import { policyDigest } from './policy-digest.ts';

const digestOf = (text: string) => {
  const parsed = parsePolicyFile(text, 'p.yaml');
  assert.ok(parsed.ok);
  return policyDigest({ file: parsed.file });
};

const POLICY = `version: 1
files:
  read: ["*"]
  deny: [".env"]
commands:
  allow: ["npm test"]
network:
  allow: ["registry.npmjs.org:443"]
`;

test('the digest is of the policy, not its spelling: comments, order and style do not change it', () => {
  const digest = digestOf(POLICY);
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);
  const respelled = `# reviewed
network: { allow: [ 'registry.npmjs.org:443' ] }
commands:
  allow:
    - npm test
files: { deny: [.env], read: ['*'] }
version: 1
`;
  assert.equal(digestOf(respelled), digest);
});

test('any change to what is allowed, asked or denied changes it', () => {
  const digest = digestOf(POLICY);
  for (const changed of [
    POLICY.replace('npm test', 'npm run'),
    POLICY.replace('commands:\n  allow', 'commands:\n  ask'),
    POLICY.replace('deny: [".env"]', 'deny: [".env", "secrets/*"]'),
    POLICY.replace(':443', ':80'),
    `${POLICY}limits:\n  wall_time: 10m\n`,
    `${POLICY}dependencies: deny\n`,
  ]) {
    assert.notEqual(digestOf(changed), digest, changed);
  }
});
