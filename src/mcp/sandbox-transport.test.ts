import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { WardenError } from '../errors.ts';
import { createBwrapSandbox } from '../sandbox/bwrap.ts';
import { type EgressProxy, type NetRecord, startEgressProxy } from '../sandbox/egress-proxy.ts';
import type { Sandbox } from '../sandbox/types.ts';
import { SandboxTransport } from './sandbox-transport.ts';

// As in the sandbox's own tests: skipped only when bubblewrap is not installed at all.
const missing = spawnSync('bwrap', ['--version']).error ? 'bubblewrap (bwrap) is not installed' : false;

// The SDK and its dependencies as installed for Warden; the server imports them by absolute URL
// (it lives outside any node_modules), and the sandbox shows the whole tree read-only.
const mcpUrl = import.meta.resolve('@modelcontextprotocol/sdk/server/mcp.js');
const stdioUrl = import.meta.resolve('@modelcontextprotocol/sdk/server/stdio.js');
const zodUrl = import.meta.resolve('zod');
const sdkPath = realpathSync(fileURLToPath(mcpUrl));
const nodeModules = sdkPath.slice(0, sdkPath.lastIndexOf(`${path.sep}node_modules${path.sep}`) + 13);

/** An SDK server whose tools try things from inside the sandbox and say what happened. */
const PROBE_SERVER = `
import { McpServer } from '${mcpUrl}';
import { StdioServerTransport } from '${stdioUrl}';
import { z } from '${zodUrl}';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const outcome = (error) => 'error ' + (error.code ?? error.message);
const probes = {
  connect: (port) => new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: Number(port) });
    socket.on('connect', () => { socket.destroy(); resolve('connected'); });
    socket.on('error', (error) => resolve(outcome(error)));
  }),
  read: (file) => { try { return 'read ' + fs.readFileSync(file, 'utf8'); } catch (error) { return outcome(error); } },
  write: (file) => { try { fs.writeFileSync(file, 'owned'); return 'wrote'; } catch (error) { return outcome(error); } },
  fetch: (url) => new Promise((resolve) => {
    if (!process.env.HTTP_PROXY) return resolve('error no HTTP_PROXY');
    const proxy = new URL(process.env.HTTP_PROXY);
    const request = http.get({ host: proxy.hostname, port: proxy.port, path: url, headers: { host: new URL(url).host } }, (response) => {
      let body = '';
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve(response.statusCode + ' ' + body));
    });
    request.on('error', (error) => resolve(outcome(error)));
  }),
  spawn: (seconds) => { spawn('sleep', [seconds], { detached: true, stdio: 'ignore' }); return 'spawned'; },
  exit: (message) => { process.stderr.write(message + '\\n'); process.exit(3); },
};

const server = new McpServer({ name: 'probe', version: '1.0.0' });
server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } },
  async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }));
server.registerTool('probe', {
  description: 'Tries something from inside the sandbox',
  inputSchema: { action: z.enum(Object.keys(probes)), target: z.string() },
}, async ({ action, target }) => ({ content: [{ type: 'text', text: await probes[action](target) }] }));
await server.connect(new StdioServerTransport());
`;

const CRASHING_SERVER = `
process.stderr.write('probe-server: loading configuration\\n');
throw new Error('cannot read /etc/probe.json: no such file');
`;

const CHATTY_SERVER = `
process.stdout.write('Probe server listening on stdio\\n');
setInterval(() => {}, 1e6);
`;

function textOf(result: unknown): string {
  const content = (result as { content?: Array<{ type: string; text?: string }> }).content ?? [];
  return content.map((part) => part.text ?? '').join('');
}

/** Live host processes running `sleep <marker>`, wherever in the tree they are. */
function sleepsOf(marker: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return (
          readFileSync(`/proc/${name}/cmdline`, 'utf8') === `sleep\0${marker}\0` &&
          !/^[ZX]/.test(readFileSync(`/proc/${name}/stat`, 'utf8').replace(/^.*\) /s, ''))
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('stdio MCP servers in the sandbox, driven by the SDK client', { skip: missing }, () => {
  let root: string;
  let workspace: string;
  let install: string;
  let homeDir: string;
  let isolated: Sandbox;
  let networked: Sandbox;
  let proxy: EgressProxy;
  let tcp: net.Server;
  let tcpConnections = 0;
  let listed: http.Server;
  let unlisted: http.Server;
  const records: NetRecord[] = [];
  const opened: SandboxTransport[] = [];
  const portOf = (server: net.Server | http.Server) => (server.address() as AddressInfo).port;

  const start = async (sandbox: Sandbox, script: string, name = 'probe', closeGraceMs = 2000) => {
    const transport = new SandboxTransport({
      server: name,
      sandbox,
      request: { argv: ['node', path.join(install, script)], readOnly: [install, nodeModules] },
      closeGraceMs,
    });
    opened.push(transport);
    const client = new Client({ name: 'warden-test', version: '0.0.0' });
    await client.connect(transport);
    return { client, transport };
  };
  const probe = async (client: Client, action: string, target: string) =>
    textOf(await client.callTool({ name: 'probe', arguments: { action, target } }));

  before(async () => {
    root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'warden-mcp-')));
    workspace = path.join(root, 'ws');
    install = path.join(root, 'server');
    mkdirSync(workspace);
    mkdirSync(install);
    writeFileSync(path.join(install, 'probe.mjs'), PROBE_SERVER);
    writeFileSync(path.join(install, 'crash.mjs'), CRASHING_SERVER);
    writeFileSync(path.join(install, 'chatty.mjs'), CHATTY_SERVER);
    writeFileSync(path.join(root, 'host-secret.txt'), 'host temp secret');
    homeDir = mkdtempSync(path.join(os.homedir(), '.warden-mcp-test-'));
    writeFileSync(path.join(homeDir, 'credentials'), 'home secret');
    tcp = net.createServer((socket) => socket.destroy()).on('connection', () => tcpConnections++);
    listed = http.createServer((_req, res) => res.end('allowed body'));
    unlisted = http.createServer((_req, res) => res.end('must not leak'));
    for (const server of [tcp, listed, unlisted]) {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    }
    const socketPath = path.join(root, 'proxy', 'egress.sock');
    proxy = await startEgressProxy({
      socketPath,
      allow: [`127.0.0.1:${portOf(listed)}`],
      onRequest: (record) => records.push(record),
    });
    isolated = createBwrapSandbox({ workspace });
    networked = createBwrapSandbox({ workspace, network: { proxySocket: socketPath } });
  });

  after(async () => {
    await Promise.all(opened.map((transport) => transport.close()));
    await proxy.close();
    for (const server of [tcp, listed, unlisted]) {
      if (server instanceof http.Server) server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    rmSync(homeDir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('lists the tools of a server started in the sandbox and calls one', async () => {
    const { client } = await start(isolated, 'probe.mjs');
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), ['add', 'probe']);
    assert.equal(textOf(await client.callTool({ name: 'add', arguments: { a: 2, b: 40 } })), '42');
    await client.close();
  });

  it('a hostile server reaches no network and no host file, and writes nowhere but the workspace', async () => {
    const { client } = await start(isolated, 'probe.mjs');
    assert.match(await probe(client, 'connect', String(portOf(tcp))), /^error ECONNREFUSED/);
    assert.equal(tcpConnections, 0);
    assert.equal(await probe(client, 'fetch', `http://127.0.0.1:${portOf(listed)}/`), 'error no HTTP_PROXY');
    assert.equal(await probe(client, 'read', path.join(root, 'host-secret.txt')), 'error ENOENT');
    assert.equal(await probe(client, 'read', path.join(homeDir, 'credentials')), 'error ENOENT');
    assert.equal(await probe(client, 'read', path.join(install, 'crash.mjs')), `read ${CRASHING_SERVER}`);
    for (const outside of [
      path.join(install, 'planted.mjs'),
      path.join(homeDir, 'planted'),
      '/etc/planted',
    ]) {
      assert.match(await probe(client, 'write', outside), /^error E(ROFS|NOENT|ACCES)$/, outside);
      assert.ok(!existsSync(outside), `${outside} was written on the host`);
    }
    // Its own scratch /tmp may take the write; the host's directory above the workspace never does.
    await probe(client, 'write', path.join(root, 'planted'));
    assert.ok(!existsSync(path.join(root, 'planted')));
    assert.equal(await probe(client, 'write', path.join(workspace, 'allowed.txt')), 'wrote');
    assert.equal(readFileSync(path.join(workspace, 'allowed.txt'), 'utf8'), 'owned');
    await client.close();
  });

  it('with the egress proxy, reaches the allowed host through it and is refused another', async () => {
    const { client } = await start(networked, 'probe.mjs');
    assert.equal(await probe(client, 'fetch', `http://127.0.0.1:${portOf(listed)}/`), '200 allowed body');
    assert.match(await probe(client, 'fetch', `http://127.0.0.1:${portOf(unlisted)}/`), /^403 /);
    assert.match(await probe(client, 'connect', String(portOf(listed))), /^error ECONNREFUSED/);
    await until(() => records.length >= 2);
    assert.deepEqual(
      records.map((record) => [record.port, record.allowed]),
      [
        [portOf(listed), true],
        [portOf(unlisted), false],
      ],
    );
    await client.close();
  });

  it('a server that crashes at start fails the connection with its exit and last error line', async () => {
    await assert.rejects(start(isolated, 'crash.mjs', 'crashy'), (error: Error) => {
      assert.match(
        error.message,
        /MCP server "crashy" exited with code 1: .*Error: cannot read \/etc\/probe\.json/,
      );
      assert.doesNotMatch(error.message, /\n|\bat file:|Node\.js v/);
      return true;
    });
  });

  it('a server that writes something other than JSON-RPC on stdout is stopped with a clear error', async () => {
    const errors: Error[] = [];
    const transport = new SandboxTransport({
      server: 'chatty',
      sandbox: isolated,
      request: { argv: ['node', path.join(install, 'chatty.mjs')], readOnly: [install] },
    });
    opened.push(transport);
    transport.onerror = (error) => errors.push(error);
    const client = new Client({ name: 'warden-test', version: '0.0.0' });
    await assert.rejects(
      client.connect(transport),
      /MCP server "chatty" wrote something other than JSON-RPC/,
    );
    assert.match(errors[0]?.message ?? '', /"Probe serv"\.\.\. is not valid JSON/);
    assert.match((errors[0] as WardenError).describe(), /logs belong on stderr/);
    assert.deepEqual(await transport.process?.exited, { exitCode: null, signal: 'SIGKILL' });
  });

  it('a server that dies during a call fails that call with its exit status and what it said', async () => {
    const { client } = await start(isolated, 'probe.mjs', 'dying');
    await assert.rejects(
      probe(client, 'exit', 'fatal: lost the connection to the database'),
      /MCP server "dying" exited with code 3: fatal: lost the connection to the database/,
    );
    await assert.rejects(client.listTools(), /Not connected|not running|exited/);
  });

  it("closing the client takes the server's whole process tree with it", async () => {
    const marker = `${Math.floor(Math.random() * 1e6) + 1e6}.${process.pid}`;
    const { client, transport } = await start(isolated, 'probe.mjs', 'probe', 100);
    assert.equal(await probe(client, 'spawn', marker), 'spawned');
    await until(() => sleepsOf(marker).length === 1);
    assert.equal(sleepsOf(marker).length, 1, 'the grandchild started');
    await client.close();
    assert.deepEqual(await transport.process?.exited, { exitCode: null, signal: 'SIGKILL' });
    await until(() => sleepsOf(marker).length === 0);
    assert.deepEqual(sleepsOf(marker), []);
  });
});
