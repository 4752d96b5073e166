import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type Credential, createCredentialStore } from './credentials.ts';

const held = (name: string, host: string, password: string): Credential => ({
  name,
  host,
  username: 'x-access-token',
  password,
  origin: 'test',
});

test('named: the credential of that name only, for its own host over https (or http to this machine)', () => {
  const store = createCredentialStore([{ name: 'absent', host: 'absent.example', tokenEnv: 'ABSENT_TOKEN' }]);
  store.add(held('git-mcp-example-com', 'mcp.example.com', 'first-token-for-host'));
  store.add(held('jira', 'mcp.example.com', 'jira-token-123456'));
  store.add(held('local', '127.0.0.1:8080', 'local-token-123456'));
  const name = (n: string, url: string) => {
    const found = store.named(n, url);
    return 'credential' in found ? found.credential.password : found.why;
  };
  assert.equal(
    name('jira', 'https://mcp.example.com/mcp'),
    'jira-token-123456',
    'not the first one held for the host',
  );
  assert.equal(name('jira', 'https://MCP.example.com:443/mcp'), 'jira-token-123456');
  assert.match(
    name('jira', 'https://mcp.example.com.evil.net/mcp'),
    /is for mcp.example.com, not mcp.example.com.evil.net/,
  );
  assert.match(name('jira', 'http://mcp.example.com/mcp'), /only over https/);
  assert.equal(name('local', 'http://127.0.0.1:8080/mcp'), 'local-token-123456');
  assert.match(name('local', 'http://127.0.0.1:8081/mcp'), /is for 127.0.0.1:8080, not 127.0.0.1:8081/);
  assert.match(name('absent', 'https://absent.example/'), /"absent" is declared but ABSENT_TOKEN is not set/);
  assert.match(name('nobody', 'https://mcp.example.com/'), /no credential "nobody" is held/);
  assert.match(name('jira', 'not a url'), /not a URL/);
});

test('property: named never gives a credential for a URL whose host is not its own, and no value is in its reasons', () => {
  fc.assert(
    fc.property(fc.domain(), fc.domain(), fc.constantFrom('https', 'http'), (bound, target, scheme) => {
      const store = createCredentialStore();
      store.add(held('svc', bound, 'secret-value-123456'));
      const found = store.named('svc', `${scheme}://${target}/mcp`);
      const expected = bound === target && scheme === 'https';
      assert.equal('credential' in found, expected);
      if ('why' in found) assert.ok(!found.why.includes('secret-value-123456'));
    }),
  );
});
