import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isPublicAddress,
  matchAllow,
  normalizeHost,
  parseAllowList,
  resolvedRefusal,
} from './egress-allow.ts';

const rules = parseAllowList([
  'registry.npmjs.org',
  'api.example.com:8443',
  '*.githubusercontent.com:443',
  '10.1.2.3:8080',
  '[::1]:9000',
  'internal.corp:8080',
]);

function allows(host: string, port: number): string | undefined {
  const target = normalizeHost(host);
  return target === undefined ? undefined : matchAllow(rules, target, port)?.pattern;
}

describe('network.allow patterns', () => {
  it('a bare host means ports 80 and 443 only', () => {
    assert.equal(allows('registry.npmjs.org', 443), 'registry.npmjs.org');
    assert.equal(allows('registry.npmjs.org', 80), 'registry.npmjs.org');
    assert.equal(allows('registry.npmjs.org', 22), undefined);
  });

  it('compares names case-insensitively without a trailing dot', () => {
    assert.equal(allows('API.Example.COM.', 8443), 'api.example.com:8443');
    assert.equal(allows('api.example.com', 443), undefined);
  });

  it('a wildcard matches subdomains only, never the apex, a lookalike or an IP', () => {
    assert.equal(allows('raw.githubusercontent.com', 443), '*.githubusercontent.com:443');
    assert.equal(allows('a.b.githubusercontent.com', 443), '*.githubusercontent.com:443');
    assert.equal(allows('githubusercontent.com', 443), undefined);
    assert.equal(allows('evilgithubusercontent.com', 443), undefined);
    assert.equal(allows('raw.githubusercontent.com.evil.com', 443), undefined);
  });

  it('an IP literal passes only when that literal is listed', () => {
    assert.equal(allows('10.1.2.3', 8080), '10.1.2.3:8080');
    assert.equal(allows('10.1.2.4', 8080), undefined);
    assert.equal(allows('[0:0::1]', 9000), '[::1]:9000');
    assert.equal(allows('::1', 9000), '[::1]:9000');
  });

  it('refuses names the resolver would read as numbers, and junk', () => {
    for (const bad of ['2130706433', '0x7f.1', '127.1', 'a..b', '', 'exa mple.com', '-x.com', 'a/b']) {
      assert.equal(normalizeHost(bad), undefined, bad);
    }
  });

  it('rejects unreadable patterns', () => {
    for (const bad of ['host:0', 'host:70000', 'host:', '*.', '*.1.2.3.4:443', '[::1', 'a b']) {
      assert.throws(() => parseAllowList([bad]), { code: 'sandbox.bad-config' }, bad);
    }
  });
});

describe('DNS rebinding', () => {
  const rule = (host: string, port: number) => {
    const target = normalizeHost(host);
    assert.ok(target);
    const found = matchAllow(rules, target, port);
    assert.ok(found, `${host}:${port}`);
    return found;
  };

  it('refuses a bare or wildcard name resolving to a non-public address', () => {
    assert.match(resolvedRefusal(rule('registry.npmjs.org', 443), ['127.0.0.1']) ?? '', /127\.0\.0\.1/);
    assert.match(
      resolvedRefusal(rule('x.githubusercontent.com', 443), ['104.16.0.1', '10.0.0.1']) ?? '',
      /10\.0\.0\.1/,
    );
    assert.equal(resolvedRefusal(rule('x.githubusercontent.com', 443), ['104.16.0.1']), undefined);
  });

  it('allows a non-public address for a host listed exactly with its port', () => {
    assert.equal(resolvedRefusal(rule('internal.corp', 8080), ['10.0.0.7']), undefined);
  });

  it('classifies addresses', () => {
    for (const a of [
      '127.0.0.1',
      '10.2.3.4',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ]) {
      assert.equal(isPublicAddress(a), false, a);
    }
    for (const a of ['8.8.8.8', '104.16.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      assert.equal(isPublicAddress(a), true, a);
    }
  });
});
