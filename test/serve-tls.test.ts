import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { Agent } from 'undici';
import { issueCert, makeCa, type TestCert } from '../src/server/tls/testing/certificates.ts';
import { warden } from './cli.ts';
import { type Served, type ServerWorld, serverWorld, startServe, waitFor } from './server.ts';

/**
 * `warden serve` with `tls:` and `client_certificates: require`, attacked from the network as a
 * client without the CA, without a certificate, and with a certificate from another CA would be;
 * then its certificate rotated under an open event stream with SIGHUP.
 */

let world: ServerWorld;
let served: Served;
let certs: Record<'server' | 'rotated' | 'alice' | 'mallory', TestCert>;
let serverCa: string;
let port: number;

before(async () => {
  world = await serverWorld();
  const dir = join(world.dir, 'certs');
  await mkdir(dir);
  const ca = makeCa(dir, 'server');
  const clients = makeCa(dir, 'clients');
  const other = makeCa(dir, 'other');
  const hosts = ['127.0.0.1', 'localhost'];
  serverCa = ca.certFile;
  certs = {
    server: issueCert(ca, join(dir, 'server'), { name: 'warden', hosts }),
    rotated: issueCert(ca, join(dir, 'rotated'), { name: 'warden rotated', hosts }),
    alice: issueCert(clients, join(dir, 'alice'), { name: 'alice', client: true }),
    mallory: issueCert(other, join(dir, 'mallory'), { name: 'mallory', client: true }),
  };
  // The files the server reads, so that rotating them is rewriting them, as certbot would.
  const live = join(world.data, 'tls');
  await mkdir(live);
  await copyFile(certs.server.certFile, join(live, 'server.pem'));
  await copyFile(certs.server.keyFile, join(live, 'server.key'));
  const config = join(world.data, 'server.yaml');
  await writeFile(
    config,
    `${await readFile(config, 'utf8')}
tls:
  cert_file: tls/server.pem
  key_file: tls/server.key
  client_ca_file: ${JSON.stringify(clients.certFile)}
  client_certificates: require
`,
  );
  served = await startServe(world);
  port = Number(new URL(served.url).port);
});

after(async () => {
  served?.child.kill('SIGTERM');
  await served?.exited;
  await world?.cleanup();
});

const agent = (cert?: TestCert, trust: 'server CA' | 'system CAs' = 'server CA') =>
  new Agent({
    connect: {
      ...(trust === 'server CA' ? { ca: readPem(serverCa) } : {}),
      ...(cert ? { cert: readPem(cert.certFile), key: readPem(cert.keyFile) } : {}),
    },
  });

function readPem(file: string): string {
  return readFileSync(file, 'utf8');
}

async function api(path: string, dispatcher: Agent, init: RequestInit = {}) {
  const response = await fetch(`${served.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${served.adminToken}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    dispatcher,
  } as RequestInit);
  const body: ReturnType<typeof JSON.parse> = await response.json();
  return { status: response.status, body };
}

/** One bare TLS connection: what it negotiated and which certificate the server showed, or why it failed. */
function handshake(options: { cert?: TestCert; maxVersion?: 'TLSv1.2' }) {
  return new Promise<{ protocol?: string; fingerprint?: string; error?: string }>((resolve) => {
    const socket: TLSSocket = connect({
      host: '127.0.0.1',
      port,
      ca: readPem(serverCa),
      ...(options.cert ? { cert: readPem(options.cert.certFile), key: readPem(options.cert.keyFile) } : {}),
      ...(options.maxVersion ? { maxVersion: options.maxVersion } : {}),
    });
    let result: { protocol?: string; fingerprint?: string; error?: string } = {};
    socket.once('secureConnect', () => {
      result = {
        protocol: socket.getProtocol() ?? undefined,
        fingerprint: socket.getPeerCertificate().fingerprint256,
      };
      socket.write('GET /openapi.json HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    });
    socket.once('data', () => {
      socket.destroy();
      resolve(result);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve({ ...result, error: error.code }));
    socket.once('close', () => resolve({ ...result, error: result.error ?? 'closed without an answer' }));
  });
}

describe('HTTPS with client certificates required', () => {
  test('the API answers over TLS 1.3 to a client with the CA and its certificate; TLS 1.2 is refused', async () => {
    const { status, body } = await api('/v1/tasks', agent(certs.alice));
    assert.equal(status, 200);
    assert.ok(Array.isArray(body.tasks));
    const shake = await handshake({ cert: certs.alice });
    assert.equal(shake.protocol, 'TLSv1.3');
    assert.equal(shake.fingerprint, certs.server.fingerprint);
    assert.equal(shake.error, undefined);
    const old = await handshake({ cert: certs.alice, maxVersion: 'TLSv1.2' });
    assert.match(old.error ?? '', /PROTOCOL_VERSION|UNSUPPORTED/);
    assert.match(served.output(), /listening on https:\/\/127\.0\.0\.1/);
  });

  test('a client that does not trust the CA refuses the server', async () => {
    const failure = await api('/v1/tasks', agent(certs.alice, 'system CAs')).catch((error) => error);
    assert.ok(failure instanceof Error);
    assert.match(
      String((failure.cause as { code?: string })?.code),
      /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY/,
    );
  });

  test('no client certificate, or one from another CA: no request gets through, token or not', async () => {
    for (const cert of [undefined, certs.mallory]) {
      const shake = await handshake(cert ? { cert } : {});
      assert.ok(shake.error, `refused (${cert ? 'mallory' : 'no certificate'})`);
      const failure = await api('/v1/tasks', agent(cert)).catch((error) => error);
      assert.ok(failure instanceof Error, 'fetch fails');
    }
    assert.equal((await handshake({})).error, 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  test('warden attach reaches the server through WARDEN_CA_FILE and the client certificate; without them, one line says what to set', async () => {
    const repository = await world.repo('attach-tls');
    const model = await world.script('attach-tls', [{ text: 'done over TLS' }]);
    const { body: task } = await api('/v1/tasks', agent(certs.alice), {
      method: 'POST',
      body: JSON.stringify({ repository, instruction: 'x', model }),
    });
    const base = { WARDEN_SERVER: served.url, WARDEN_TOKEN: served.adminToken as string };
    const attach = (env: Record<string, string>) =>
      warden(['attach', task.id], { cwd: world.dir, env: { ...base, ...env }, timeoutMs: 30_000 });
    const ok = await attach({
      WARDEN_CA_FILE: serverCa,
      WARDEN_CLIENT_CERT: certs.alice.certFile,
      WARDEN_CLIENT_KEY: certs.alice.keyFile,
    });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /done over TLS/);

    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /certificate is not signed by a CA this client trusts — set WARDEN_CA_FILE/],
      [
        { WARDEN_CA_FILE: serverCa },
        /requires a client certificate — set WARDEN_CLIENT_CERT and WARDEN_CLIENT_KEY/,
      ],
      [
        {
          WARDEN_CA_FILE: serverCa,
          WARDEN_CLIENT_CERT: certs.mallory.certFile,
          WARDEN_CLIENT_KEY: certs.mallory.keyFile,
        },
        /refused this client certificate — WARDEN_CLIENT_CERT must be signed by the server's client CA/,
      ],
    ];
    for (const [env, expected] of cases) {
      const run = await attach(env);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, expected);
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`);
    }
  });

  test('SIGHUP: new connections get the rewritten certificate, an event stream opened before goes on; a bad file keeps the old one', async () => {
    const alice = agent(certs.alice);
    const repository = await world.repo('rotate');
    const model = await world.script('rotate', [
      { calls: [{ tool: 'shell', args: { command: 'sleep 0 && echo after-rotation' } }] },
      { text: 'finished after the rotation' },
    ]);
    const { body: task } = await api('/v1/tasks', alice, {
      method: 'POST',
      body: JSON.stringify({ repository, instruction: 'x', model }),
    });
    const stream = await fetch(`${served.url}/v1/tasks/${task.id}/events`, {
      headers: { authorization: `Bearer ${served.adminToken}` },
      dispatcher: alice,
    } as RequestInit);
    let text = '';
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}:\n${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(/approval\.requested/);

    await copyFile(certs.rotated.certFile, join(world.data, 'tls', 'server.pem'));
    await copyFile(certs.rotated.keyFile, join(world.data, 'tls', 'server.key'));
    served.child.kill('SIGHUP');
    await waitFor('the reload', async () => /SIGHUP: TLS certificate reloaded/.test(served.output()));
    assert.equal((await handshake({ cert: certs.alice })).fingerprint, certs.rotated.fingerprint);

    const { body: pending } = await api(`/v1/approvals?status=pending&taskId=${task.id}`, agent(certs.alice));
    const [approval] = pending.approvals;
    const answer = await api(`/v1/approvals/${approval.id}`, agent(certs.alice), {
      method: 'POST',
      body: JSON.stringify({ decision: 'allow' }),
    });
    assert.equal(answer.status, 200);
    // The stream opened under the old certificate receives the rest, to its end.
    await readUntil(/event: end/);
    assert.match(text, /after-rotation/);
    assert.match(text, /finished after the rotation/);

    await writeFile(join(world.data, 'tls', 'server.pem'), 'not a certificate\n');
    served.child.kill('SIGHUP');
    await waitFor('the failed reload', async () =>
      /TLS reload failed, still serving the previous/.test(served.output()),
    );
    assert.equal((await handshake({ cert: certs.alice })).fingerprint, certs.rotated.fingerprint);
    assert.equal(served.child.exitCode, null, 'still serving');
  });
});
