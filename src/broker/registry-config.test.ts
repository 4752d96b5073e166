import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registryEndpoints } from './registry-config.ts';
import { PUBLIC_REGISTRIES } from './registry-lookup.ts';

const user = (registries: unknown) => ({
  source: '/home/u/.config/warden/warden.config.yaml',
  data: { registries },
  locate: (path: readonly PropertyKey[]) => `warden.config.yaml:${path.join('.')}`,
});

test('the public registries unless trusted configuration says otherwise', () => {
  assert.deepEqual(registryEndpoints({}), PUBLIC_REGISTRIES);
  assert.deepEqual(registryEndpoints({}, { source: 'x', data: { default_model: 'a:b' } }), PUBLIC_REGISTRIES);
});

test('the user config sets them; the environment wins over it', () => {
  const endpoints = registryEndpoints(
    { WARDEN_NPM_REGISTRY: 'http://127.0.0.1:4873/', WARDEN_GO_PROXY: '' },
    user({ npm: 'https://npm.corp.example', pypi: 'https://pypi.corp.example/', npm_downloads: 'off' }),
  );
  assert.equal(endpoints.npm, 'http://127.0.0.1:4873');
  assert.equal(endpoints.pypi, 'https://pypi.corp.example');
  assert.equal(endpoints.npmDownloads, undefined);
  assert.equal(endpoints.go, PUBLIC_REGISTRIES.go);
});

test('bad values are errors that say where and how to fix them', () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [
      () => registryEndpoints({}, user({ npn: 'https://x' })),
      /warden\.config\.yaml:registries\.npn: "registries\.npn" is not a known key/,
    ],
    [() => registryEndpoints({}, user('https://x')), /"registries" must be a mapping/],
    [
      () => registryEndpoints({}, user({ pypi: 'ftp://x' })),
      /registries\.pypi: "ftp:\/\/x" is not an http\(s\) base URL/,
    ],
    [() => registryEndpoints({ WARDEN_CRATES_REGISTRY: 'nope' }), /WARDEN_CRATES_REGISTRY: "nope" is not/],
    [
      () => registryEndpoints({ WARDEN_NPM_REGISTRY: 'https://u:tok@npm.example' }),
      /may not hold credentials/,
    ],
  ];
  for (const [run, error] of cases)
    assert.throws(run, (e: Error & { describe?: () => string }) => {
      assert.match(e.describe?.() ?? e.message, error);
      return true;
    });
});
