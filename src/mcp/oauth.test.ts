import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { createCredentialStore } from '../broker/credentials.ts';
import { main } from '../cli/main.ts';
import { isWardenError, type WardenError } from '../errors.ts';
import { createRedactor } from '../guard/redactor.ts';
import { httpTransport } from './http-transport.ts';
import { oauthStateDir } from './oauth-state.ts';
import { type HttpMcpServer, startHttpMcpServer } from './testing/http-mcp-server.ts';
import { startOAuthServer, type TestAuthorizationServer } from './testing/oauth-server.ts';

let home: string;
let env: NodeJS.ProcessEnv;
let oauth: TestAuthorizationServer;
let mcp: HttpMcpServer;
let dir: string;
let file: string;

before(async () => {
  home = await mkdtemp(join(tmpdir(), 'warden-mcp-oauth-'));
  oauth = await startOAuthServer();
  mcp = await startHttpMcpServer({ accepts: (a) => oauth.honours(a), authorizationServer: oauth.url });
  env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_STATE_HOME: join(home, 'state') };
  await mkdir(join(home, 'config', 'warden'), { recursive: true });
  await writeFile(
    join(home, 'config', 'warden', 'warden.config.yaml'),
    `mcp_servers:\n  jira:\n    url: ${mcp.url}\n    oauth: true\n  plain:\n    url: ${mcp.url}\n`,
  );
  dir = oauthStateDir(env);
  file = join(dir, 'jira.json');
});
after(async () => {
  await mcp.close();
  await oauth.close();
  await rm(home, { recursive: true, force: true });
});

/** Runs a warden command; `browser` gets the printed sign-in URL, as a person would copy it. */
async function warden(args: string[], browser?: (url: string) => Promise<void>) {
  let out = '';
  let err = '';
  const visits: Promise<void>[] = [];
  const code = await main(args, {
    cwd: home,
    env,
    stdout: (text) => {
      out += text;
      const url = /^\s+(https?:\/\/\S+)$/m.exec(text)?.[1];
      if (url && browser) visits.push(browser(url));
    },
    stderr: (text) => {
      err += text;
    },
    stdoutIsTty: false,
    stdin: new PassThrough(),
    stdinIsTty: false,
  });
  await Promise.all(visits);
  return { code, out, err };
}

/** What a browser does with the page: the server signs the person in and redirects to the callback. */
async function approve(url: string): Promise<Response> {
  const page = await fetch(url, { redirect: 'manual' });
  assert.equal(page.status, 302, 'the authorization server redirects back');
  return fetch(page.headers.get('location') as string);
}

async function session(known = createRedactor(), now?: () => number) {
  const transport = await httpTransport(
    'jira',
    { url: mcp.url, oauth: true },
    {
      credentials: createCredentialStore(),
      known: (v) => known.addKnown(v),
      oauthDir: dir,
      ...(now ? { now } : {}),
    },
  );
  const client = new Client({ name: 'warden-test', version: '0' });
  await client.connect(transport);
  const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
  await client.close();
  return result;
}

const stored = async () => JSON.parse(await readFile(file, 'utf8'));
const mode = async (path: string) => (await stat(path)).mode & 0o777;
const isLoginError = (error: unknown) =>
  isWardenError(error) &&
  error.describe().endsWith('run warden mcp login jira') &&
  !/\n/.test(error.describe());

test('before any sign-in a session fails with one line that says how to sign in', async () => {
  await assert.rejects(session(), isLoginError);
  await assert.rejects(session(), /MCP server "jira": not signed in/);
});

test('warden mcp login signs in through the browser; the tokens are stored for the user alone; a session connects with them', async () => {
  let verifierKept = false;
  const { code, out } = await warden(['mcp', 'login', 'jira', '--timeout', '120'], async (url) => {
    assert.match(url, new RegExp(`^${oauth.url}authorize\\?`));
    const params = new URL(url).searchParams;
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.match(params.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    // While the person is at the browser, the PKCE verifier waits in the user's state.
    verifierKept = typeof (await stored()).code_verifier === 'string' && (await mode(file)) === 0o600;
    const back = await approve(url);
    assert.equal(back.status, 200);
  });
  assert.equal(code, 0, out);
  assert.ok(verifierKept);
  assert.match(out, /Signed in to "jira"/);
  const state = await stored();
  assert.equal(state.url, mcp.url);
  assert.equal(state.tokens.access_token, oauth.issued.access.at(-1));
  assert.equal(state.code_verifier, undefined, 'the verifier goes once the code is exchanged');
  assert.equal(await mode(file), 0o600);
  assert.equal(await mode(dir), 0o700);
  assert.ok(!out.includes(state.tokens.access_token) && !out.includes(state.tokens.refresh_token));

  const redactor = createRedactor();
  assert.deepEqual((await session(redactor)).content, [{ type: 'text', text: 'echo: hi' }]);
  const line = `access ${state.tokens.access_token} refresh ${state.tokens.refresh_token}`;
  assert.ok(!redactor.redact(line).includes(state.tokens.access_token));
  assert.ok(!redactor.redact(line).includes(state.tokens.refresh_token));
});

test('an access token the server no longer honours is refreshed, the new tokens stored and known to the redactor', async () => {
  const before = await stored();
  oauth.expireAccessTokens();
  const refreshes = oauth.grants.filter((g) => g === 'refresh_token').length;
  const redactor = createRedactor();
  assert.deepEqual((await session(redactor)).content, [{ type: 'text', text: 'echo: hi' }]);
  assert.equal(oauth.grants.filter((g) => g === 'refresh_token').length, refreshes + 1);
  const after = await stored();
  assert.notEqual(after.tokens.access_token, before.tokens.access_token);
  assert.equal(after.tokens.access_token, oauth.issued.access.at(-1));
  assert.ok(!redactor.redact(after.tokens.access_token).includes(after.tokens.access_token));
  assert.ok(!redactor.redact(after.tokens.refresh_token).includes(after.tokens.refresh_token));
  assert.equal(await mode(file), 0o600);
});

test('a token past its expiry is refreshed before the first request: the expired one is not sent', async () => {
  const expired = (await stored()).tokens.access_token;
  const seen = mcp.authorizations.length;
  const later = () => Date.now() + 2 * 3600_000;
  assert.deepEqual((await session(createRedactor(), later)).content, [{ type: 'text', text: 'echo: hi' }]);
  const sent = mcp.authorizations.slice(seen);
  assert.ok(sent.length > 0 && !sent.includes(`Bearer ${expired}`));
  assert.equal((await stored()).tokens.access_token, oauth.issued.access.at(-1));
});

test('a refresh token the server refuses makes the session say to sign in again', async () => {
  const good = await readFile(file, 'utf8');
  const state = await stored();
  // A refresh token that was already used once (rotated): the server refuses it.
  state.tokens.refresh_token = oauth.issued.refresh[0];
  await writeFile(file, JSON.stringify(state), { mode: 0o600 });
  oauth.expireAccessTokens();
  const refreshes = oauth.grants.length;
  await assert.rejects(
    session(),
    (error: Error) =>
      isLoginError(error) &&
      (error as WardenError).describe() ===
        'MCP server "jira": the sign-in has expired and could not be refreshed — run warden mcp login jira',
  );
  assert.equal(oauth.grants.length, refreshes, 'no tokens were issued');
  await writeFile(file, good, { mode: 0o600 });
  oauth.expireAccessTokens();
  await session();
});

test('sessions starting together on an expired sign-in all connect (a rotated refresh token is taken up)', async () => {
  oauth.expireAccessTokens();
  const results = await Promise.all([1, 2, 3, 4].map(() => session()));
  const later = () => Date.now() + 2 * 3600_000;
  results.push(...(await Promise.all([1, 2, 3].map(() => session(createRedactor(), later)))));
  assert.ok(results.every((r) => JSON.stringify(r.content).includes('echo: hi')));
});

test('a login that no browser comes back to ends with one line, and the previous sign-in stays', async () => {
  const previous = (await stored()).tokens.access_token;
  const { code, err } = await warden(['mcp', 'login', 'jira', '--timeout', '0.01']);
  assert.equal(code, 2);
  assert.match(err, /^warden: no sign-in came back within 0 seconds — run the login again/);
  assert.equal((await stored()).tokens.access_token, previous);
});

test('the callback refuses a redirect whose state is not the login’s own (CSRF); the genuine one still signs in', async () => {
  const exchanges = oauth.grants.length;
  let forged: number[] = [];
  const { code } = await warden(['mcp', 'login', 'jira', '--timeout', '120'], async (url) => {
    const callback = new URL(new URL(url).searchParams.get('redirect_uri') as string);
    const attempts = [
      `?code=attacker-code&state=forged`,
      `?code=attacker-code`,
      `?error=access_denied&state=x`,
    ];
    forged = await Promise.all(attempts.map(async (q) => (await fetch(`${callback.href}${q}`)).status));
    assert.equal(oauth.grants.length, exchanges, 'no code was exchanged for the forged redirects');
    assert.equal((await approve(url)).status, 200);
  });
  assert.deepEqual(forged, [400, 400, 400]);
  assert.equal(code, 0);
  assert.equal(oauth.grants.length, exchanges + 1);
  assert.equal((await stored()).tokens.access_token, oauth.issued.access.at(-1));
});

test('a sign-in the person refuses fails the login with the server’s reason, and the previous sign-in still works', async () => {
  const previous = (await stored()).tokens.access_token;
  const { code, err } = await warden(['mcp', 'login', 'jira', '--timeout', '120'], async (url) => {
    const params = new URL(url).searchParams;
    const callback = `${params.get('redirect_uri')}?error=access_denied&error_description=no&state=${params.get('state')}`;
    assert.equal((await fetch(callback)).status, 400);
  });
  assert.equal(code, 2);
  assert.match(err, /^warden: the authorization server refused the sign-in: access_denied \(no\)\n$/);
  assert.equal((await stored()).tokens.access_token, previous);
  await session();
});

test('a session refuses a sign-in made for another URL than the server is configured at', async () => {
  const good = await readFile(file, 'utf8');
  await writeFile(file, JSON.stringify({ ...(await stored()), url: 'https://old.example.com/mcp' }), {
    mode: 0o600,
  });
  await assert.rejects(
    session(),
    (error: Error) => isLoginError(error) && /signed in for https:\/\/old/.test(error.message),
  );
  await writeFile(file, good, { mode: 0o600 });
});

test('login names a server that is missing or not OAuth in one line', async () => {
  for (const [name, message] of [
    ['nope', /no MCP server "nope" in your user config/],
    ['plain', /MCP server "plain" does not sign in with OAuth/],
    ['Bad_Name', /no MCP server "Bad_Name"/],
  ] as const) {
    const { code, err } = await warden(['mcp', 'login', name]);
    assert.equal(code, 2);
    assert.match(err, message);
    assert.equal(err.split('\n').length, 2);
  }
});

test('warden mcp logout revokes the token and forgets the sign-in; sessions then say to sign in', async () => {
  const { refresh_token } = (await stored()).tokens;
  const { code, out } = await warden(['mcp', 'logout', 'jira']);
  assert.equal(code, 0);
  assert.match(out, /Signed out of "jira"; the authorization server revoked the token/);
  assert.ok(oauth.revoked.includes(refresh_token));
  await assert.rejects(stat(file), { code: 'ENOENT' });
  await assert.rejects(session(), isLoginError);
  assert.match((await warden(['mcp', 'logout', 'jira'])).out, /was not signed in/);
  const outside = await warden(['mcp', 'logout', '../../config/warden/warden.config']);
  assert.equal(outside.code, 2);
  assert.match(outside.err, /is not an MCP server name/);
});
