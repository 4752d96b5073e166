import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createMcpEndpoint } from './gateway-endpoint.ts';
import { createGatewayServer } from './gateway-server.ts';

/** An endpoint on a plain node server, its keys `k1`, `k2`; counts the sessions it opened and closed. */
async function endpointOn(sessionsPerKey: number) {
  const counts = { opened: 0, closed: 0 };
  const endpoint = createMcpEndpoint({
    sessionsPerKey,
    authenticate: async (req) => {
      const key = /^Bearer (k\d)$/.exec(req.headers.authorization ?? '')?.[1];
      return key === undefined ? undefined : { keyId: key };
    },
    open: async () => {
      counts.opened += 1;
      const server = createGatewayServer({
        tools: [],
        hooks: { admit: async () => ({ allowed: true }), finished: () => {} },
        redact: (text) => text,
      });
      return {
        server,
        close: async () => {
          counts.closed += 1;
        },
      };
    },
  });
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      void endpoint.handle(req, res, text === '' ? undefined : JSON.parse(text));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  const connect = async (key: string) => {
    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    return { client, transport };
  };
  return {
    endpoint,
    counts,
    connect,
    async close() {
      await endpoint.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

test("a key's sessions past its limit close its least recently used one, and what it held", async () => {
  const e = await endpointOn(2);
  const first = await e.connect('k1');
  const second = await e.connect('k1');
  await first.client.listTools(); // the second is now the least recently used
  const other = await e.connect('k2');
  assert.equal(e.endpoint.sessions(), 3, "another key's sessions do not count");
  const third = await e.connect('k1');
  assert.equal(e.endpoint.sessions(), 3);
  assert.equal(e.counts.closed, 1);
  await assert.rejects(second.client.listTools(), /Session not found/);
  await first.client.listTools();
  await third.client.listTools();
  await other.client.listTools();
  for (const c of [first, second, third, other]) await c.client.close();
  await e.close();
  assert.equal(e.counts.closed, e.counts.opened, 'every session closed with the endpoint');
});

test('a session ended by its client (DELETE) closes what it held', async () => {
  const e = await endpointOn(8);
  const { client, transport } = await e.connect('k1');
  await transport.terminateSession();
  assert.equal(e.endpoint.sessions(), 0);
  assert.equal(e.counts.closed, 1);
  await client.close();
  await e.close();
});
