import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WardenError } from '../errors.ts';
import { credentialsFromConfig, defaultTokenEnv } from './credential-config.ts';
import { createCredentialStore } from './credentials.ts';

const where = (path: readonly PropertyKey[]) => `config.yaml:${path.map(String).join('.')}`;

test('declared credentials take their tokens from the environment, bound to their host', () => {
  const { credentials, missing } = credentialsFromConfig(
    {
      github: { host: 'github.com', token_env: 'GH_TOKEN' },
      'gitlab-work': { host: 'git.example.com:8443', username: 'oauth2' },
      absent: { host: 'absent.example' },
    },
    { GH_TOKEN: 'ghp_from_env_123456', WARDEN_SECRET_GITLAB_WORK: 'glpat-from-env-123456' },
    where,
    'config.yaml',
  );
  assert.deepEqual(
    credentials.map((c) => [c.name, c.host, c.username, c.password]),
    [
      ['github', 'github.com', 'x-access-token', 'ghp_from_env_123456'],
      ['gitlab-work', 'git.example.com:8443', 'oauth2', 'glpat-from-env-123456'],
    ],
  );
  assert.deepEqual(missing, [{ name: 'absent', host: 'absent.example', tokenEnv: 'WARDEN_SECRET_ABSENT' }]);
  const store = createCredentialStore(missing);
  for (const credential of credentials) store.add(credential);
  assert.equal(store.forUrl('https://github.com/o/r.git')?.name, 'github');
  assert.equal(store.forUrl('https://git.example.com:8443/o/r.git')?.name, 'gitlab-work');
  assert.equal(store.forUrl('https://git.example.com/o/r.git'), undefined, 'the port is part of the host');
  assert.equal(store.forUrl('https://github.com.evil.example/o/r.git'), undefined);
  assert.match(
    store.whyNone('https://absent.example/r.git'),
    /"absent" is declared .* WARDEN_SECRET_ABSENT is not set/,
  );
  assert.equal(defaultTokenEnv('git-github-com'), 'WARDEN_SECRET_GIT_GITHUB_COM');
});

test('api_url: where the pull requests of a credential go, https (or http to this machine) only', () => {
  const { credentials } = credentialsFromConfig(
    {
      ghe: { host: 'ghe.example.com', api_url: 'https://ghe.example.com/api/v3/' },
      local: { host: '127.0.0.1:8080', api_url: 'http://127.0.0.1:9090' },
      github: { host: 'github.com' },
    },
    {
      WARDEN_SECRET_GHE: 'tok-ghe-123456',
      WARDEN_SECRET_LOCAL: 'tok-local-1234',
      WARDEN_SECRET_GITHUB: 'tok-gh-12345',
    },
    where,
    'config.yaml',
  );
  assert.deepEqual(
    credentials.map((c) => [c.name, c.apiUrl]),
    [
      ['ghe', 'https://ghe.example.com/api/v3'],
      ['local', 'http://127.0.0.1:9090'],
      ['github', undefined],
    ],
  );
});

test('a malformed entry is an error naming the key and where it is', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ github: { host: 'https://github.com' } }, /"credentials\.github\.host" must be a host name/],
    [
      { github: { host: 'github.com', token: 'ghp_inline' } },
      /"credentials\.github\.token" is not a known key/,
    ],
    [{ GitHub: { host: 'github.com' } }, /lower-case words/],
    [['github'], /must be a mapping/],
    [
      { ghe: { host: 'ghe.example.com', api_url: 'http://ghe.example.com/api/v3' } },
      /"credentials\.ghe\.api_url" must be an https URL/,
    ],
    [
      { ghe: { host: 'ghe.example.com', api_url: 'https://user:pw@ghe.example.com/api/v3' } },
      /"credentials\.ghe\.api_url" must be an https URL .*without user/,
    ],
    [{ ghe: { host: 'ghe.example.com', api_url: 'ghe.example.com' } }, /api_url" must be an https URL/],
  ];
  for (const [section, message] of cases) {
    assert.throws(
      () => credentialsFromConfig(section, {}, where, 'config.yaml'),
      (error: unknown) =>
        error instanceof WardenError &&
        error.code === 'config.invalid' &&
        message.test(error.message) &&
        (error.where ?? '').startsWith('config.yaml:credentials'),
    );
  }
});
