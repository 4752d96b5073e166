import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBwrapSandbox } from './bwrap.ts';
import { type EgressProxy, type NetRecord, startEgressProxy } from './egress-proxy.ts';
import type { Sandbox } from './types.ts';

// As in bwrap.test.ts: skipped only when bubblewrap is not installed at all.
const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;
const noCurl = spawnSync('curl', ['--version']).error ? 'curl is not installed' : false;

interface Loopback {
  port: number;
  connections: number;
  close(): Promise<void>;
}

async function startLoopback(body: string): Promise<Loopback> {
  const state = { connections: 0 };
  const server = http.createServer((_req, res) => res.end(body));
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('bubblewrap sandbox with the egress proxy: the only way out', { skip: missing || noCurl }, () => {
  let root: string;
  let socketPath: string;
  let proxy: EgressProxy;
  let listed: Loopback;
  let unlisted: Loopback;
  let sandbox: Sandbox;
  let isolated: Sandbox;
  const records: NetRecord[] = [];
  const sh = (box: Sandbox, script: string) => box.run({ argv: ['bash', '-c', script], timeoutMs: 15_000 });
  const waitForRecords = async (count: number): Promise<void> => {
    for (let i = 0; i < 100 && records.length < count; i++) await new Promise((r) => setTimeout(r, 10));
  };

  before(async () => {
    root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'warden-net-')));
    const workspace = path.join(root, 'ws');
    mkdirSync(workspace);
    socketPath = path.join(root, 'proxy', 'egress.sock');
    listed = await startLoopback('allowed body');
    unlisted = await startLoopback('must not leak');
    proxy = await startEgressProxy({
      socketPath,
      allow: [`127.0.0.1:${listed.port}`],
      onRequest: (record) => records.push(record),
    });
    sandbox = createBwrapSandbox({ workspace, network: { proxySocket: socketPath } });
    isolated = createBwrapSandbox({ workspace });
  });
  after(async () => {
    await proxy.close();
    await listed.close();
    await unlisted.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('reaches a listed loopback server through the proxy, and the request is recorded', async () => {
    const result = await sh(sandbox, `curl -sS --fail http://127.0.0.1:${listed.port}/hello`);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.equal(result.stdout, 'allowed body');
    assert.equal(result.stderr, '');
    await waitForRecords(1);
    const record = records.find((r) => r.port === listed.port);
    assert.ok(record, JSON.stringify(records));
    assert.deepEqual([record.host, record.method, record.allowed], ['127.0.0.1', 'GET', true]);
    assert.equal(record.bytesDown, 'allowed body'.length);
  });

  it('refuses an unlisted server, which never sees a connection, and records the refusal', async () => {
    const before = records.length;
    const result = await sh(sandbox, `curl -sS -w '\\n%{http_code}' http://127.0.0.1:${unlisted.port}/`);
    assert.match(
      result.stdout,
      new RegExp(`refused 127\\.0\\.0\\.1:${unlisted.port}[^\\n]*network\\.allow[^\\n]*\\n\\n403$`),
    );
    assert.equal(unlisted.connections, 0);
    await waitForRecords(before + 1);
    assert.deepEqual(
      records.slice(before).map((r) => [r.port, r.allowed]),
      [[unlisted.port, false]],
    );
  });

  it('refuses HTTPS to an unlisted host at the CONNECT, and a raw IP that is not listed', async () => {
    const before = records.length;
    const https = await sh(sandbox, 'curl -sS https://example.com/');
    assert.notEqual(https.exitCode, 0);
    assert.match(https.stderr, /403/);
    const raw = await sh(sandbox, `curl -sS -o /dev/null -w '%{http_code}' http://10.20.30.40/`);
    assert.equal(raw.stdout, '403');
    await waitForRecords(before + 2);
    assert.deepEqual(
      records.slice(before).map((r) => [r.method, r.host, r.port, r.allowed]),
      [
        ['CONNECT', 'example.com', 443, false],
        ['GET', '10.20.30.40', 80, false],
      ],
    );
  });

  it('has no DNS and no direct route: bypassing the proxy reaches nothing', async () => {
    const before = records.length;
    const dns = await sh(sandbox, 'getent hosts example.com');
    assert.notEqual(dns.exitCode, 0);
    assert.equal(dns.stdout, '');
    const lookup = await sh(
      sandbox,
      `node -e "require('dns').lookup('example.com', (e) => { console.log(e ? 'failed ' + e.code : 'resolved'); })"`,
    );
    assert.match(lookup.stdout, /^failed /);
    const direct = await sh(sandbox, `curl -sS --noproxy '*' --max-time 5 http://127.0.0.1:${listed.port}/`);
    assert.notEqual(direct.exitCode, 0);
    assert.equal(direct.stdout, '');
    assert.equal(records.length, before, 'nothing went through the proxy');
  });

  it('keeps the socket read-only, passes the exit status, and prints nothing of its own', async () => {
    const result = await sh(
      sandbox,
      `rm -f ${socketPath} 2>/dev/null; touch ${path.dirname(socketPath)}/x 2>/dev/null; test -S ${socketPath} && echo socket-intact; exit 7`,
    );
    assert.equal(result.exitCode, 7);
    assert.equal(result.stdout, 'socket-intact\n');
    assert.equal(result.stderr, '');
  });

  it('reports a command killed by a signal as 128+n, as bubblewrap does without the bridge', async () => {
    const result = await sh(sandbox, 'kill -TERM $$');
    assert.equal(result.exitCode, 143);
    assert.equal(result.stderr, '');
  });

  it('without the option there is no proxy and no proxy variables', async () => {
    const result = await sh(
      isolated,
      `env | grep -i _proxy; curl -sS --max-time 5 -x http://127.0.0.1:3128 http://127.0.0.1:${listed.port}/ || echo unreachable`,
    );
    assert.equal(result.stdout, 'unreachable\n');
    assert.equal(listed.connections, 1, 'only the proxied request ever reached the listed server');
  });
});
