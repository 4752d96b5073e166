import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Agent } from 'undici';
import { issueCert, makeCa, type TestCa, type TestCert } from '../src/server/tls/testing/certificates.ts';
import { warden } from './cli.ts';
import { type ServerWorld, serverWorld, startServe } from './server.ts';

/**
 * Plain HTTP stays on loopback unless the operator says a TLS-terminating proxy is in front; and
 * with `client_certificates: optional` a token alone is enough, but a false certificate is refused.
 */

let world: ServerWorld;
let ca: TestCa;
let clientsCa: TestCa;
let mallory: TestCert;

before(async () => {
  world = await serverWorld();
  const dir = join(world.dir, 'certs');
  await mkdir(dir);
  ca = makeCa(dir, 'server');
  clientsCa = makeCa(dir, 'clients');
  mallory = issueCert(makeCa(dir, 'other'), join(dir, 'mallory'), { name: 'mallory', client: true });
});
after(() => world?.cleanup());

test('a non-loopback --host without tls: is refused at start, in one line that gives both fixes', async () => {
  for (const host of ['0.0.0.0', '::', '192.0.2.10']) {
    const run = await warden(['serve', '--host', host, '--port', '0', '--data', world.data], {
      cwd: world.dir,
      timeoutMs: 30_000,
    });
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`--host ${host.replace(/\./g, '\\.')} would serve plain HTTP beyond this machine`),
    );
    assert.match(run.stderr, /add tls: \{ cert_file, key_file \} to server\.yaml, or allow_plain_http: true/);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  }
});

test('allow_plain_http: true serves plain HTTP on 0.0.0.0 and says a proxy must terminate TLS in front', async () => {
  await appendFile(join(world.data, 'server.yaml'), '\nallow_plain_http: true\n');
  const served = await startServe(world, {}, 0, ['--host', '0.0.0.0']);
  try {
    assert.match(
      served.output(),
      /plain HTTP beyond loopback \(allow_plain_http: true\): a TLS-terminating proxy must be in front/,
    );
    const port = new URL(served.url).port;
    const response = await fetch(`http://127.0.0.1:${port}/openapi.json`);
    assert.equal(response.status, 200);
  } finally {
    served.child.kill('SIGTERM');
    await served.exited;
  }
});

test('client_certificates: optional: a token alone gets in; a certificate from another CA is refused even with a token', async () => {
  const optional = await serverWorld();
  try {
    const server = issueCert(ca, join(optional.dir, 'server'), { name: 'warden', hosts: ['127.0.0.1'] });
    await appendFile(
      join(optional.data, 'server.yaml'),
      `\ntls: { cert_file: ${JSON.stringify(server.certFile)}, key_file: ${JSON.stringify(server.keyFile)}, client_ca_file: ${JSON.stringify(clientsCa.certFile)}, client_certificates: optional }\n`,
    );
    const served = await startServe(optional);
    try {
      assert.match(served.output(), /client certificates optional/);
      const call = async (cert?: TestCert) => {
        const dispatcher = new Agent({
          connect: {
            ca: readFileSync(ca.certFile, 'utf8'),
            ...(cert
              ? { cert: readFileSync(cert.certFile, 'utf8'), key: readFileSync(cert.keyFile, 'utf8') }
              : {}),
          },
        });
        const response = await fetch(`${served.url}/v1/tasks`, {
          headers: { authorization: `Bearer ${served.adminToken}` },
          dispatcher,
        } as RequestInit);
        return { status: response.status, body: await response.json() };
      };
      assert.equal((await call()).status, 200);
      const refused = await call(mallory);
      assert.equal(refused.status, 401);
      assert.equal((refused.body as { error: { code: string } }).error.code, 'tls.client_certificate');
    } finally {
      served.child.kill('SIGTERM');
      await served.exited;
    }
  } finally {
    await optional.cleanup();
  }
});
