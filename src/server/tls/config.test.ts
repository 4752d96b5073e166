import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { isWardenError } from '../../errors.ts';
import { loadServerConfig } from '../config.ts';
import { checkPlainHttp, isLoopback } from './plain-http.ts';
import { readTlsMaterial } from './server-tls.ts';
import { issueCert, makeCa } from './testing/certificates.ts';

const dir = mkdtempSync(join(tmpdir(), 'warden-tls-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function configError(yaml: string): string {
  const file = join(dir, 'server.yaml');
  writeFileSync(file, yaml);
  try {
    loadServerConfig(file);
  } catch (error) {
    assert.ok(isWardenError(error));
    return error.describe();
  }
  throw new Error('accepted');
}

test('tls: paths are relative to server.yaml; a client CA alone means certificates required', () => {
  const file = join(dir, 'server.yaml');
  writeFileSync(file, 'tls:\n  cert_file: tls/a.pem\n  key_file: /k.key\n  client_ca_file: ca.pem\n');
  assert.deepEqual(loadServerConfig(file).transport, {
    tls: {
      certFile: join(dir, 'tls/a.pem'),
      keyFile: '/k.key',
      clientCaFile: join(dir, 'ca.pem'),
      clientCertificates: 'require',
    },
    allowPlainHttp: false,
  });
});

test('mistakes in tls:, allow_plain_http: and database: name their line', () => {
  assert.match(
    configError('tls:\n  cert_file: a\n  key_file: b\n  keyfile: c\n'),
    /server\.yaml:4:3: "tls\.keyfile" is not a known key/,
  );
  assert.match(configError('tls:\n  cert_file: a\n'), /server\.yaml:\d+:\d+: tls\.key_file/);
  assert.match(
    configError('tls: { cert_file: a, key_file: b, client_certificates: require }\n'),
    /client_certificates needs client_ca_file/,
  );
  assert.match(configError('allow_plain_http: yes please\n'), /server\.yaml:1:\d+: allow_plain_http/);
  assert.match(
    configError('database:\n  require_tls: require\n'),
    /server\.yaml:2:\d+: database\.require_tls/,
  );
});

test('a key others may read, a key of another certificate, or a file that is not PEM is refused with the fix', () => {
  const ca = makeCa(dir, 'unit');
  const one = issueCert(ca, join(dir, 'one'), { name: 'one', hosts: ['127.0.0.1'] });
  const two = issueCert(ca, join(dir, 'two'), { name: 'two', hosts: ['127.0.0.1'] });
  const read = (certFile: string, keyFile: string) => {
    try {
      readTlsMaterial({ certFile, keyFile }, 'server.yaml');
      return 'accepted';
    } catch (error) {
      assert.ok(isWardenError(error));
      return error.describe();
    }
  };
  assert.equal(read(one.certFile, one.keyFile), 'accepted');
  assert.match(read(one.certFile, two.keyFile), /key_file is not the key of cert_file/);
  writeFileSync(join(dir, 'junk.pem'), 'junk\n');
  assert.match(read(join(dir, 'junk.pem'), one.keyFile), /not PEM|cannot be used/);
  assert.match(read(join(dir, 'missing.pem'), one.keyFile), /tls\.cert_file: .*missing\.pem does not exist/);
  chmodSync(one.keyFile, 0o640);
  assert.match(read(one.certFile, one.keyFile), /readable by others \(mode 640\) — run: chmod 600/);
});

test('loopback addresses, and only those, may serve plain HTTP without allow_plain_http', () => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
  fc.assert(
    fc.property(v4, ([a, b, c, d]) => {
      const host = `${a}.${b}.${c}.${d}`;
      assert.equal(isLoopback(host), a === 127);
      assert.equal(isLoopback(`::ffff:${host}`), a === 127);
      const refused = (() => {
        try {
          checkPlainHttp(host, { allowPlainHttp: false }, 'server.yaml');
          return false;
        } catch {
          return true;
        }
      })();
      assert.equal(refused, a !== 127);
      checkPlainHttp(host, { allowPlainHttp: true }, 'server.yaml');
    }),
  );
  for (const host of ['::1', '[::1]', 'localhost']) assert.ok(isLoopback(host), host);
  for (const host of ['::', '0.0.0.0', 'fe80::1', 'example.com', '127.0.0.1.example.com'])
    assert.ok(!isLoopback(host), host);
});
