import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiBaseUrl, repositoryOf } from './github-remote.ts';

test('owner and repository come from an http(s) remote of two path segments', () => {
  const of = (url: string) => {
    const found = repositoryOf(url);
    return 'problem' in found ? found.problem : `${found.owner}/${found.repo}@${found.url.host}`;
  };
  assert.equal(of('https://github.com/acme/widget.git'), 'acme/widget@github.com');
  assert.equal(of('https://github.com/acme/widget'), 'acme/widget@github.com');
  assert.equal(of('https://ghe.example.com:8443/team/svc.core/'), 'team/svc.core@ghe.example.com:8443');
  assert.equal(of('http://127.0.0.1:9/acme/widget.git'), 'acme/widget@127.0.0.1:9');
  assert.match(of('git@github.com:acme/widget.git'), /not an http\(s\) URL/);
  assert.match(of('ssh://git@github.com/acme/widget.git'), /is a ssh remote/);
  assert.match(of('file:///srv/widget.git'), /is a file remote/);
  for (const url of [
    'https://gitlab.example.com/group/sub/widget.git',
    'https://github.com/acme',
    'https://github.com/acme/..',
    'https://github.com/-acme/widget',
    'https://github.com/ac%2Fme/widget',
  ]) {
    assert.match(of(url), /does not name a repository as OWNER\/REPO/, url);
  }
  assert.match(of('https://github.com/acme/widget?x=1'), /query or fragment/);
});

test('the API: api.github.com for github.com, /api/v3 on Enterprise hosts, or what the user set', () => {
  assert.equal(apiBaseUrl(new URL('https://github.com/acme/widget.git')), 'https://api.github.com');
  assert.equal(apiBaseUrl(new URL('https://GitHub.com/acme/widget')), 'https://api.github.com');
  assert.equal(
    apiBaseUrl(new URL('https://ghe.example.com/acme/widget.git')),
    'https://ghe.example.com/api/v3',
  );
  assert.equal(
    apiBaseUrl(new URL('https://ghe.example.com:8443/acme/widget.git')),
    'https://ghe.example.com:8443/api/v3',
  );
  assert.equal(
    apiBaseUrl(new URL('https://github.com/acme/widget.git'), 'http://127.0.0.1:9999/'),
    'http://127.0.0.1:9999',
  );
});
