import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRegistryLookup, isRegistryName, type LookupResult } from './registry-lookup.ts';
import { type RegistryServer, startRegistryServer } from './testing/registry-server.ts';

let server: RegistryServer;
before(async () => {
  server = await startRegistryServer([
    { ecosystem: 'npm', name: 'lodash', ageDays: 4000, downloads: 50_000_000, version: '4.17.21' },
    { ecosystem: 'npm', name: '@types/node', ageDays: 3000, downloads: 90_000_000 },
    {
      ecosystem: 'npm',
      name: 'evil-hooks',
      ageDays: 30,
      downloads: 5,
      scripts: { postinstall: 'node steal.js' },
    },
    { ecosystem: 'pypi', name: 'requests', ageDays: 5000, version: '2.32.3' },
    { ecosystem: 'pypi', name: 'sdist-only', ageDays: 100, wheel: false },
    { ecosystem: 'crates', name: 'serde', ageDays: 3500, downloads: 40_000_000 },
    { ecosystem: 'go', name: 'github.com/BurntSushi/toml', ageDays: 2000, version: 'v1.4.0' },
  ]);
});
after(() => server.close());

function found(result: LookupResult) {
  assert.equal(result.status, 'found', JSON.stringify(result));
  return result.status === 'found' ? result.facts : assert.fail();
}

test('npm: age, latest version, weekly downloads and install scripts from the packument', async () => {
  const lookup = createRegistryLookup({ endpoints: server.endpoints });
  const lodash = found(await lookup.lookup('npm', 'lodash'));
  assert.equal(lodash.latestVersion, '4.17.21');
  assert.deepEqual(lodash.downloads, { count: 50_000_000, period: 'week' });
  assert.ok(Date.now() - Date.parse(lodash.firstPublished ?? '') > 3999 * 86_400_000);
  assert.deepEqual(lodash.installScripts, []);
  assert.deepEqual(lodash.unchecked, []);

  const hooks = found(await lookup.lookup('npm', 'evil-hooks'));
  assert.deepEqual(hooks.installScripts, ['postinstall: node steal.js']);
});

test('npm: a scoped name is asked for as @scope%2fname; its counts by its plain name', async () => {
  const lookup = createRegistryLookup({ endpoints: server.endpoints });
  found(await lookup.lookup('npm', '@types/node'));
  assert.ok(server.requests.includes('/npm/@types%2Fnode'), server.requests.join(' '));
  assert.ok(server.requests.includes('/npm-api/downloads/point/last-week/@types/node'));
});

test('a name the registry does not hold is missing, in every ecosystem', async () => {
  const lookup = createRegistryLookup({ endpoints: server.endpoints });
  for (const ecosystem of ['npm', 'pypi', 'crates', 'go'] as const) {
    const result = await lookup.lookup(
      ecosystem,
      ecosystem === 'go' ? 'example.com/made/up' : 'made-up-name',
    );
    assert.equal(result.status, 'missing', ecosystem);
  }
});

test('PyPI: first upload over all releases; a release with no wheel builds from source', async () => {
  const lookup = createRegistryLookup({ endpoints: server.endpoints });
  const requests = found(await lookup.lookup('pypi', 'Requests'));
  assert.equal(requests.latestVersion, '2.32.3');
  assert.ok(requests.firstPublished);
  assert.deepEqual(requests.installScripts, []);
  const sdist = found(await lookup.lookup('pypi', 'sdist-only'));
  assert.match(sdist.installScripts[0] ?? '', /no wheel/);
});

test('crates.io and the Go module proxy', async () => {
  const lookup = createRegistryLookup({ endpoints: server.endpoints });
  const serde = found(await lookup.lookup('crates', 'serde'));
  assert.deepEqual(serde.downloads, { count: 40_000_000, period: '90 days' });
  const toml = found(await lookup.lookup('go', 'github.com/BurntSushi/toml'));
  assert.ok(server.requests.includes('/go/github.com/!burnt!sushi/toml/@v/list'), 'case-encoded path');
  assert.equal(toml.latestVersion, 'v1.4.0');
  assert.ok(Date.now() - Date.parse(toml.firstPublished ?? '') > 1999 * 86_400_000);
});

test('answers are kept for the session: one request per package', async () => {
  const lookup = createRegistryLookup({ endpoints: server.endpoints });
  const before = server.requests.length;
  await Promise.all([lookup.lookup('crates', 'serde'), lookup.lookup('crates', 'serde')]);
  await lookup.lookup('crates', 'serde');
  assert.equal(server.requests.length - before, 1);
});

test('an unreachable or silent registry is "could not be checked", and is asked again later', async () => {
  const silent = await startRegistryServer([], { hang: true });
  try {
    const lookup = createRegistryLookup({ endpoints: silent.endpoints, timeoutMs: 200, retryAfterMs: 0 });
    const result = await lookup.lookup('npm', 'lodash');
    assert.equal(result.status, 'unchecked');
    assert.match(
      result.status === 'unchecked' ? result.reason : '',
      /could not be reached: no answer within 0.2s/,
    );
    await lookup.lookup('npm', 'lodash');
    assert.equal(silent.requests.length, 2, 'a failure is not cached');

    // Within the retry delay, other names fail at once: no second wait for the same silence.
    const patient = createRegistryLookup({ endpoints: silent.endpoints, timeoutMs: 200 });
    await patient.lookup('npm', 'a');
    const started = performance.now();
    const fast = await patient.lookup('npm', 'b');
    assert.ok(performance.now() - started < 100);
    assert.match(fast.status === 'unchecked' ? fast.reason : '', /no answer within 0.2s/);
    assert.equal(silent.requests.length, 3);
  } finally {
    await silent.close();
  }
  const refused = createRegistryLookup({
    endpoints: { ...server.endpoints, pypi: 'http://127.0.0.1:9' },
  });
  const result = await refused.lookup('pypi', 'requests');
  assert.equal(result.status, 'unchecked');
  assert.match(
    result.status === 'unchecked' ? result.reason : '',
    /PyPI registry \(http:\/\/127\.0\.0\.1:9\)/,
  );
});

test('npm downloads that cannot be counted are an unchecked fact, not zero', async () => {
  const lookup = createRegistryLookup({
    endpoints: { ...server.endpoints, npmDownloads: 'http://127.0.0.1:9' },
  });
  const facts = found(await lookup.lookup('npm', 'lodash'));
  assert.equal(facts.downloads, undefined);
  assert.match(facts.unchecked[0] ?? '', /^weekly downloads \(/);
  const privateRegistry = createRegistryLookup({
    endpoints: { ...server.endpoints, npmDownloads: undefined },
  });
  assert.deepEqual(found(await privateRegistry.lookup('npm', 'lodash')).unchecked, []);
});

test('registry names versus paths, URLs and git specs', () => {
  assert.ok(isRegistryName('npm', '@types/node'));
  assert.ok(isRegistryName('npm', 'JSONStream'));
  assert.ok(!isRegistryName('npm', 'github:evil/x'));
  assert.ok(!isRegistryName('npm', './local'));
  assert.ok(!isRegistryName('npm', 'https://evil.example/x.tgz'));
  assert.ok(isRegistryName('pypi', 'python-dateutil'));
  assert.ok(!isRegistryName('pypi', 'git+https://github.com/x/y'));
  assert.ok(isRegistryName('go', 'github.com/spf13/cobra'));
  assert.ok(!isRegistryName('go', './...'));
});
