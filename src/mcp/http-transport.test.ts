import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import fc from 'fast-check';
import { type Credential, createCredentialStore } from '../broker/credentials.ts';
import { isWardenError } from '../errors.ts';
import { createRedactor } from '../guard/redactor.ts';
import { httpTransport } from './http-transport.ts';
import { type HttpMcpServer, startHttpMcpServer } from './testing/http-mcp-server.ts';

const TOKEN = 'jira-token-7f3k9QzX2mWp4vLr8sYt';
let server: HttpMcpServer;

before(async () => {
  server = await startHttpMcpServer({ accepts: (authorization) => authorization === `Bearer ${TOKEN}` });
});
after(() => server.close());

function credential(name: string, host: string, password = TOKEN): Credential {
  return { name, host, username: 'x-access-token', password, origin: 'test' };
}

function options(...held: Credential[]) {
  const credentials = createCredentialStore([
    { name: 'declared', host: '127.0.0.1', tokenEnv: 'DECLARED_TOKEN' },
  ]);
  for (const c of held) credentials.add(c);
  const redactor = createRedactor();
  return { redactor, options: { credentials, known: redactor.addKnown, oauthDir: '/nonexistent' } };
}

async function connect(transport: Awaited<ReturnType<typeof httpTransport>>): Promise<Client> {
  const client = new Client({ name: 'warden-test', version: '0' });
  await client.connect(transport);
  return client;
}

test('with the named credential for its host, the client lists and calls the tool, and the token is known to the redactor', async () => {
  const { redactor, options: opts } = options(
    credential('other', '127.0.0.1', 'another-token-for-the-same-host-9f8e'),
    credential('jira', '127.0.0.1'),
  );
  const seen = server.authorizations.length;
  const client = await connect(await httpTransport('jira', { url: server.url, credential: 'jira' }, opts));
  try {
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['echo'],
    );
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'echo: hi' }]);
  } finally {
    await client.close();
  }
  const sent = server.authorizations.slice(seen);
  assert.ok(sent.length >= 3, 'initialize, list and call reached the server');
  assert.ok(
    sent.every((a) => a === `Bearer ${TOKEN}`),
    'the named credential, not the other one held for the host',
  );
  assert.ok(!redactor.redact(`token ${TOKEN} here`).includes(TOKEN));
});

test('a credential bound to another host (or another port) is not sent: connecting fails before any request, saying why', async () => {
  const port = new URL(server.url).port;
  for (const host of ['mcp.example.com', 'localhost', `127.0.0.1:${Number(port) + 1}`]) {
    const seen = server.authorizations.length;
    const { options: opts } = options(credential('jira', host));
    await assert.rejects(
      httpTransport('jira', { url: server.url, credential: 'jira' }, opts),
      (error: Error) =>
        isWardenError(error) &&
        error.code === 'mcp.credential' &&
        error.describe().includes(`is for ${host}`) &&
        !error.describe().includes(TOKEN),
    );
    assert.equal(server.authorizations.length, seen, `no request was made (${host})`);
  }
});

test('a credential that is not held, or declared without its token, is named in the error', async () => {
  const { options: opts } = options(credential('github', '127.0.0.1'));
  await assert.rejects(
    httpTransport('jira', { url: server.url, credential: 'jira' }, opts),
    /no credential "jira" is held/,
  );
  await assert.rejects(
    httpTransport('jira', { url: server.url, credential: 'declared' }, opts),
    /credential "declared" is declared but DECLARED_TOKEN is not set/,
  );
});

test('without a credential the server refuses the client, and nothing was sent in its name', async () => {
  const seen = server.authorizations.length;
  const { options: opts } = options(credential('jira', '127.0.0.1'));
  await assert.rejects(connect(await httpTransport('jira', { url: server.url }, opts)));
  assert.ok(server.authorizations.slice(seen).every((a) => a === undefined));
});

test('a server URL that is not https (or http to this machine) is refused before any request', async () => {
  const { options: opts } = options(credential('jira', 'mcp.example.com'));
  let requests = 0;
  const fetch = async () => {
    requests++;
    return new Response(null, { status: 500 });
  };
  for (const url of [
    'http://mcp.example.com/mcp',
    'ftp://mcp.example.com/',
    'not a url',
    'https://u:p@mcp.example.com/mcp',
  ])
    await assert.rejects(
      httpTransport('jira', { url, credential: 'jira' }, { ...opts, fetch }),
      (error: Error) => isWardenError(error) && error.code === 'mcp.config',
    );
  assert.equal(requests, 0);
});

test('property: the token goes only to the credential host, checked on every request (redirects included)', async () => {
  const host = fc.oneof(
    fc.domain(),
    fc.constantFrom('mcp.example.com', 'mcp.example.com.evil.net', 'evil-mcp.example.com'),
  );
  await fc.assert(
    fc.asyncProperty(host, host, fc.string({ minLength: 1, maxLength: 20 }), async (bound, target, path) => {
      const { options: opts } = options(credential('jira', bound));
      const sentTo: string[] = [];
      // The server sends every request elsewhere: to another host, and to another path of its own.
      const fetch = async (input: string | URL, init?: RequestInit) => {
        const at = new URL(input);
        if (new Headers(init?.headers).get('authorization')?.includes(TOKEN)) sentTo.push(at.hostname);
        if (at.pathname === '/moved') return new Response(null, { status: 404 });
        const elsewhere =
          at.hostname === 'elsewhere.example.org'
            ? `https://${target}/moved`
            : 'https://elsewhere.example.org/mcp';
        return new Response(null, { status: 307, headers: { location: elsewhere } });
      };
      const url = `https://${target}/${encodeURIComponent(path)}`;
      const transport = await httpTransport('jira', { url, credential: 'jira' }, { ...opts, fetch }).catch(
        () => undefined,
      );
      if (transport) {
        await transport.start();
        await transport.send({ jsonrpc: '2.0', id: 1, method: 'ping' }).catch(() => {});
        await transport.close();
      }
      assert.equal(transport !== undefined, bound.toLowerCase() === target.toLowerCase());
      assert.ok(sentTo.every((h) => h === bound.toLowerCase()));
    }),
    { numRuns: 60 },
  );
});
