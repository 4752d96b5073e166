import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { isWardenError, WardenError } from '../../errors.ts';
import { ApiError } from '../api-errors.ts';
import { openSqliteAccountStore } from '../sqlite-account-store.ts';
import { readCookie } from './cookies.ts';
import type { Identity, OidcProvider } from './provider.ts';
import { csrfTokenOf } from './session-secret.ts';
import { sqliteSsoSessionStore } from './session-store.ts';
import { CSRF_HEADER, createSsoSessions } from './sso-sessions.ts';
import { testSsoConfig } from './testing/sso-config.ts';

const CONFIG = testSsoConfig([
  { group: 'backend', team: 'backend', role: 'operator' },
  { group: 'everyone', team: 'default', role: 'viewer' },
]);

const REFRESH_TOKEN = 'rt-of-ada-0123456789';

/** A provider that answers as told, counting renewals; `down` makes it unreachable. */
function fakeProvider() {
  const state = { groups: ['backend'], refreshes: 0, down: false, revoked: false };
  const identity = (): Identity => ({
    subject: 'ada',
    user: 'ada',
    name: 'ada@example.com',
    groups: state.groups,
    refreshToken: REFRESH_TOKEN,
    idToken: 'id-token',
  });
  const provider: OidcProvider = {
    begin: async () => ({
      url: new URL('https://login.example.com/auth'),
      pending: { state: 's', nonce: 'n', verifier: 'v' },
    }),
    finish: async () => identity(),
    async refresh(token) {
      state.refreshes += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (state.down) throw new TypeError('fetch failed');
      if (state.revoked || token !== REFRESH_TOKEN)
        throw new WardenError('sso.revoked', 'the provider refused: invalid_grant');
      return identity();
    },
    endSessionUrl: async () => undefined,
  };
  return { state, provider };
}

async function world() {
  const dir = await mkdtemp(join(tmpdir(), 'sso-sessions-'));
  const file = join(dir, 'server.db');
  const accounts = openSqliteAccountStore(file);
  for (const id of ['default', 'backend']) {
    await accounts.createTeam({
      id,
      budgetTokens: undefined,
      budgetCost: undefined,
      concurrency: undefined,
      repositories: undefined,
      policies: undefined,
    });
  }
  const store = sqliteSsoSessionStore(file);
  const { state, provider } = fakeProvider();
  let clock = Date.parse('2026-01-01T00:00:00Z');
  const sso = createSsoSessions({
    config: CONFIG,
    provider,
    store,
    accounts,
    log: () => {},
    now: () => clock,
  });
  const finished = await sso.finish(new URL('https://warden.example.com/auth/callback?code=c&state=s'), {
    state: 's',
    nonce: 'n',
    verifier: 'v',
  });
  assert.ok(finished.ok);
  const cookie = `${sso.cookies.session}=${finished.secret}`;
  return {
    sso,
    state,
    store,
    file,
    cookie,
    secret: finished.secret,
    pass: (minutes: number) => {
      clock += minutes * 60_000;
    },
    request: (method: string, headers: Record<string, string> = {}) =>
      sso.authenticate({ method, headers: { cookie, ...headers } }),
    async close() {
      await store.close();
      await accounts.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

test('a change by cookie needs the CSRF token of that very session; reading needs none', async () => {
  const w = await world();
  try {
    assert.equal((await w.request('GET')).userId, 'sso:ada');
    for (const method of ['POST', 'DELETE', 'PUT', 'PATCH']) {
      await assert.rejects(w.request(method), (error) => error instanceof ApiError && error.status === 403);
    }
    // Another session's token, or one made up, is no better.
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 60 }), async (given) => {
        fc.pre(given !== csrfTokenOf(w.secret));
        await assert.rejects(w.request('POST', { [CSRF_HEADER]: given }), { code: 'auth.csrf' });
      }),
      { numRuns: 50 },
    );
    const principal = await w.request('POST', { [CSRF_HEADER]: csrfTokenOf(w.secret) });
    assert.deepEqual([principal.role, principal.team.id], ['operator', 'backend']);
  } finally {
    await w.close();
  }
});

test('the database holds neither the cookie nor the provider’s tokens', async () => {
  const w = await world();
  try {
    const bytes = await readFile(w.file);
    const wal = await readFile(`${w.file}-wal`).catch(() => Buffer.alloc(0));
    for (const secret of [w.secret, REFRESH_TOKEN, 'id-token']) {
      assert.equal(bytes.includes(secret), false, secret);
      assert.equal(wal.includes(secret), false, secret);
    }
  } finally {
    await w.close();
  }
});

test('an expired session is renewed once however many requests arrive together, and ends when the provider refuses', async () => {
  const w = await world();
  try {
    w.pass(61);
    const principals = await Promise.all(Array.from({ length: 5 }, () => w.request('GET')));
    assert.equal(w.state.refreshes, 1);
    assert.ok(principals.every((p) => p.role === 'operator'));
    w.pass(30);
    await w.request('GET');
    assert.equal(w.state.refreshes, 1, 'within the new period, no renewal');

    // Unreachable: no access, but the session waits for the provider to answer.
    w.pass(31);
    w.state.down = true;
    await assert.rejects(w.request('GET'), /cannot be reached/);
    w.state.down = false;
    w.state.groups = ['everyone', 'contractors'];
    assert.equal((await w.request('GET')).role, 'viewer');

    w.pass(61);
    w.state.revoked = true;
    await assert.rejects(
      w.request('GET'),
      (error) => isWardenError(error) && /provider refused/.test(error.message),
    );
    w.state.revoked = false;
    await assert.rejects(w.request('GET'), /unknown or was signed out/);
  } finally {
    await w.close();
  }
});

test('signing out ends the session at once, and only with its CSRF token', async () => {
  const w = await world();
  try {
    await assert.rejects(
      w.sso.signOut(w.cookie, undefined),
      (error) => error instanceof ApiError && error.status === 403,
    );
    await w.request('GET');
    await w.sso.signOut(w.cookie, csrfTokenOf(w.secret));
    await assert.rejects(w.request('GET'), /unknown or was signed out/);
  } finally {
    await w.close();
  }
});

test('a callback with no sign-in started in this browser is refused and makes nothing', async () => {
  const w = await world();
  try {
    const finished = await w.sso.finish(
      new URL('https://warden.example.com/auth/callback?code=c&state=s'),
      undefined,
    );
    assert.equal(finished.ok, false);
    assert.ok(
      !finished.ok && finished.status === 400 && /not started from this browser/.test(finished.message),
    );
  } finally {
    await w.close();
  }
});

test('a cookie is read by its exact name among any others', () => {
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,12}$/);
  const value = fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/);
  fc.assert(
    fc.property(fc.array(fc.tuple(name, value), { maxLength: 6 }), value, (others, mine) => {
      const rest = others.filter(([n]) => n !== 'warden_session');
      const header = [...rest.map(([n, v]) => `${n}=${v}`), `warden_session=${mine}`].join('; ');
      assert.equal(readCookie(header, 'warden_session'), mine);
      assert.equal(readCookie(rest.map(([n, v]) => `${n}=${v}`).join('; '), 'warden_session'), undefined);
    }),
  );
});
