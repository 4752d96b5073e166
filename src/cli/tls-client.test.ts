import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isWardenError } from '../errors.ts';
import { issueCert, makeCa, type TestCa } from '../server/tls/testing/certificates.ts';
import { createServerClient } from './server-client.ts';
import { clientTlsFrom } from './tls-client.ts';

// The client side of TLS against a bare HTTPS server on loopback: what a person reads when the
// server's certificate is for another name, and when the settings are half given.

const dir = mkdtempSync(join(tmpdir(), 'warden-tls-client-'));
let ca: TestCa;
let server: Server;
let port: number;

before(async () => {
  ca = makeCa(dir, 'only');
  // A certificate for a name, not for the address the client will use.
  const cert = issueCert(ca, join(dir, 'named'), { name: 'named', hosts: ['warden.example'] });
  server = createServer(
    { cert: readFileSync(cert.certFile), key: readFileSync(cert.keyFile), minVersion: 'TLSv1.3' },
    (_request, response) => response.end('{}'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
after(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a certificate for another host name is one line naming the host, with the fix', async () => {
  const client = createServerClient(`https://127.0.0.1:${port}`, 'wdn_x', { caFile: ca.certFile });
  await assert.rejects(client.call('GET', '/v1/me'), (error) => {
    assert.ok(isWardenError(error));
    assert.equal(error.code, 'tls.hostname');
    assert.match(
      error.describe(),
      /certificate is not for 127\.0\.0\.1:\d+ — use a host name the certificate lists/,
    );
    return true;
  });
});

test('settings: env or flags, paths from the working directory; a certificate without its key is a usage error', () => {
  const io = {
    cwd: '/work',
    env: { WARDEN_CA_FILE: 'ca.pem', WARDEN_CLIENT_CERT: '/c.pem', WARDEN_CLIENT_KEY: '/c.key' },
  };
  assert.deepEqual(clientTlsFrom({}, io), { caFile: '/work/ca.pem', certFile: '/c.pem', keyFile: '/c.key' });
  assert.deepEqual(clientTlsFrom({ 'ca-file': '/other.pem' }, io).caFile, '/other.pem');
  assert.throws(
    () => clientTlsFrom({}, { cwd: '/', env: { WARDEN_CLIENT_CERT: '/c.pem' } }),
    (error) =>
      isWardenError(error) &&
      /needs its key.*— set both WARDEN_CLIENT_CERT and WARDEN_CLIENT_KEY/.test(error.describe()),
  );
});
