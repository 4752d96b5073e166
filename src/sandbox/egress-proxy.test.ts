import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EgressProxy, type NetRecord, startEgressProxy } from './egress-proxy.ts';

interface Upstream {
  port: number;
  connections: number;
  requests: http.IncomingMessage[];
  close(): Promise<void>;
}

async function startUpstream(body: string): Promise<Upstream> {
  const state = { connections: 0, requests: [] as http.IncomingMessage[] };
  const server = http.createServer((req, res) => {
    state.requests.push(req);
    let received = '';
    req.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    req.on('end', () => res.end(received === '' ? body : `${body}+${received}`));
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes `text` on a fresh connection to the proxy; `then` may send more once `until` appears. */
function exchange(socketPath: string, text: string, then?: { until: string; send: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    let got = '';
    let sent = false;
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString();
      if (then !== undefined && !sent && got.includes(then.until)) {
        sent = true;
        socket.write(then.send);
      }
    });
    socket.on('end', () => resolve(got));
    socket.on('error', reject);
    socket.write(text);
  });
}

describe('egress proxy on a unix socket', () => {
  let dir: string;
  let socketPath: string;
  let proxy: EgressProxy;
  let listed: Upstream;
  let unlisted: Upstream;
  const records: NetRecord[] = [];
  const nextRecord = async (count: number): Promise<NetRecord> => {
    for (let i = 0; i < 100 && records.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(records.length, count, 'exactly one record per request');
    return records[count - 1] as NetRecord;
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'warden-proxy-'));
    socketPath = path.join(dir, 'sock', 'proxy.sock');
    listed = await startUpstream('hello from listed');
    unlisted = await startUpstream('should never be seen');
    proxy = await startEgressProxy({
      socketPath,
      allow: [`127.0.0.1:${listed.port}`, `LOCALHOST.:${listed.port}`, 'example.org'],
      onRequest: (record) => records.push(record),
    });
  });
  after(async () => {
    await proxy.close();
    await listed.close();
    await unlisted.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on a 0600 socket inside a 0700 directory', () => {
    assert.equal(statSync(socketPath).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(socketPath)).mode & 0o777, 0o700);
  });

  it('forwards a listed absolute-form request without hop-by-hop headers, and records it', async () => {
    const body = 'ping';
    const reply = await exchange(
      socketPath,
      `POST http://127.0.0.1:${listed.port}/p?q=1 HTTP/1.1\r\nHost: wrong.example\r\nProxy-Authorization: Basic eA==\r\nConnection: close, X-Drop\r\nX-Drop: 1\r\nX-Keep: 2\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    assert.match(reply, /^HTTP\/1\.1 200/);
    assert.ok(reply.endsWith('hello from listed+ping'), reply);
    const seen = listed.requests.at(-1);
    assert.equal(seen?.url, '/p?q=1');
    assert.equal(seen?.headers.host, `127.0.0.1:${listed.port}`);
    assert.equal(seen?.headers['proxy-authorization'], undefined);
    assert.equal(seen?.headers['x-drop'], undefined);
    assert.equal(seen?.headers['x-keep'], '2');
    const record = await nextRecord(1);
    assert.deepEqual(
      { ...record, durationMs: 0 },
      {
        host: '127.0.0.1',
        port: listed.port,
        method: 'POST',
        allowed: true,
        bytesUp: 4,
        bytesDown: 'hello from listed+ping'.length,
        durationMs: 0,
      },
    );
  });

  it('matches host names case-insensitively without the trailing dot', async () => {
    const reply = await exchange(
      socketPath,
      `GET http://LocalHost.:${listed.port}/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    assert.match(reply, /^HTTP\/1\.1 200/);
    const record = await nextRecord(2);
    assert.equal(record.host, 'localhost');
    assert.equal(record.allowed, true);
  });

  it('refuses an unlisted raw IP with a 403 that says how to allow it, and never connects', async () => {
    const reply = await exchange(
      socketPath,
      `GET http://127.0.0.1:${unlisted.port}/ HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    assert.match(reply, /^HTTP\/1\.1 403/);
    assert.match(reply, new RegExp(`refused 127\\.0\\.0\\.1:${unlisted.port}.*network\\.allow`));
    assert.equal(unlisted.connections, 0);
    const record = await nextRecord(3);
    assert.equal(record.allowed, false);
    assert.equal(record.port, unlisted.port);
    assert.equal(record.reason, 'not in network.allow');
  });

  it('refuses a CONNECT to an unlisted host:443', async () => {
    const reply = await exchange(
      socketPath,
      'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n',
    );
    assert.match(reply, /^HTTP\/1\.1 403/);
    assert.match(reply, /evil\.example:443/);
    const record = await nextRecord(4);
    assert.deepEqual(
      [record.method, record.host, record.port, record.allowed],
      ['CONNECT', 'evil.example', 443, false],
    );
  });

  it('tunnels a CONNECT to a listed host and counts the bytes both ways', async () => {
    const inner = `GET /t HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    const reply = await exchange(socketPath, `CONNECT 127.0.0.1:${listed.port} HTTP/1.1\r\n\r\n`, {
      until: '\r\n\r\n',
      send: inner,
    });
    assert.match(reply, /^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200/);
    assert.ok(reply.endsWith('hello from listed'));
    const record = await nextRecord(5);
    assert.equal(record.allowed, true);
    assert.equal(record.bytesUp, inner.length);
    assert.ok(record.bytesDown > 'hello from listed'.length);
  });

  it('refuses a numeric host name the resolver would read as a raw IP', async () => {
    const reply = await exchange(socketPath, 'CONNECT 2130706433:443 HTTP/1.1\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 400/);
    const record = await nextRecord(6);
    assert.equal(record.allowed, false);
  });

  it('answers a malformed request with 400 and still records it', async () => {
    const reply = await exchange(socketPath, 'NOT A REQUEST\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 400/);
    const record = await nextRecord(7);
    assert.equal(record.allowed, false);
    assert.match(record.reason ?? '', /malformed/);
  });

  it('refuses origin-form and https:// requests with 400', async () => {
    const origin = await exchange(socketPath, 'GET / HTTP/1.1\r\nHost: example.org\r\n\r\n');
    assert.match(origin, /^HTTP\/1\.1 400/);
    const https = await exchange(
      socketPath,
      'GET https://example.org/ HTTP/1.1\r\nHost: example.org\r\n\r\n',
    );
    assert.match(https, /^HTTP\/1\.1 400[\s\S]*CONNECT/);
    assert.equal((await nextRecord(9)).allowed, false);
  });

  it('reports a listed host that refuses the connection as allowed with a reason', async () => {
    const closed = await startUpstream('');
    const port = closed.port;
    await closed.close();
    const extraDir = mkdtempSync(path.join(os.tmpdir(), 'warden-proxy-'));
    const seen: NetRecord[] = [];
    const other = await startEgressProxy({
      socketPath: path.join(extraDir, 'p.sock'),
      allow: [`127.0.0.1:${port}`],
      onRequest: (r) => seen.push(r),
    });
    try {
      const reply = await exchange(
        path.join(extraDir, 'p.sock'),
        `GET http://127.0.0.1:${port}/ HTTP/1.1\r\nHost: x\r\n\r\n`,
      );
      assert.match(reply, /^HTTP\/1\.1 502/);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.allowed, true);
      assert.match(seen[0]?.reason ?? '', /ECONNREFUSED/);
    } finally {
      await other.close();
      rmSync(extraDir, { recursive: true, force: true });
    }
  });
});

describe('egress proxy write-ahead', () => {
  it('announces an allowed request before connecting, and refuses it when that fails', async () => {
    const upstream = await startUpstream('recorded first');
    const extraDir = mkdtempSync(path.join(os.tmpdir(), 'warden-proxy-'));
    const socket = path.join(extraDir, 'p.sock');
    const seen: NetRecord[] = [];
    const order: string[] = [];
    let recording = true;
    const proxy = await startEgressProxy({
      socketPath: socket,
      allow: [`127.0.0.1:${upstream.port}`],
      onRequest: (r) => seen.push(r),
      beforeConnect: async (intent) => {
        order.push(
          `intent ${intent.method} ${intent.host}:${intent.port} after ${upstream.connections} connections`,
        );
        if (!recording) throw new Error('disk full');
      },
    });
    const get = `GET http://127.0.0.1:${upstream.port}/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`;
    try {
      assert.match(await exchange(socket, get), /recorded first/);
      assert.deepEqual(order, [`intent GET 127.0.0.1:${upstream.port} after 0 connections`]);
      recording = false;
      const refused = await exchange(socket, get);
      assert.match(refused, /^HTTP\/1\.1 503/);
      assert.equal(upstream.connections, 1, 'the unrecorded request never reached the host');
      for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(seen[1]?.allowed, false);
      assert.match(seen[1]?.reason ?? '', /not recorded: disk full/);
    } finally {
      await proxy.close();
      await upstream.close();
      rmSync(extraDir, { recursive: true, force: true });
    }
  });
});

describe('egress proxy setup', () => {
  it('refuses a socket directory others can enter', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-proxy-'));
    try {
      mkdirSync(path.join(dir, 'open'));
      chmodSync(path.join(dir, 'open'), 0o755);
      await assert.rejects(
        startEgressProxy({ socketPath: path.join(dir, 'open', 'p.sock'), allow: [], onRequest: () => {} }),
        { code: 'sandbox.bad-config' },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an allow pattern it cannot read', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-proxy-'));
    try {
      await assert.rejects(
        startEgressProxy({
          socketPath: path.join(dir, 'p.sock'),
          allow: ['host:99999'],
          onRequest: () => {},
        }),
        { code: 'sandbox.bad-config' },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
