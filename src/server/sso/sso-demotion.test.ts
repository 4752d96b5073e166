/**
 * Off-boarding and demotion at the identity provider take effect in Warden: no API token outlives
 * them, every session of the person ends or takes the new role, whichever session renews first.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { authenticate, issueToken } from '../auth.ts';
import { openSqliteAccountStore } from '../sqlite-account-store.ts';
import type { Identity, OidcProvider } from './provider.ts';
import { sqliteSsoSessionStore } from './session-store.ts';
import { createSsoSessions } from './sso-sessions.ts';
import { testSsoConfig } from './testing/sso-config.ts';

const CONFIG = testSsoConfig([
  { group: 'warden-admins', team: 'default', role: 'admin' },
  { group: 'everyone', team: 'default', role: 'viewer' },
]);

async function world() {
  const dir = await mkdtemp(join(tmpdir(), 'sso-demotion-'));
  const file = join(dir, 'server.db');
  const accounts = openSqliteAccountStore(file);
  await accounts.createTeam({
    id: 'default',
    budgetTokens: undefined,
    budgetCost: undefined,
    concurrency: undefined,
    repositories: undefined,
    policies: undefined,
  });
  const state = { groups: ['warden-admins'] as string[] };
  const identity = (): Identity => ({
    subject: 'mallory',
    user: 'mallory',
    name: 'mallory@example.com',
    groups: state.groups,
    refreshToken: 'rt',
    idToken: 'id',
  });
  const provider: OidcProvider = {
    begin: async () => ({
      url: new URL('https://login.example.com/a'),
      pending: { state: 's', nonce: 'n', verifier: 'v' },
    }),
    finish: async () => identity(),
    refresh: async () => identity(),
    endSessionUrl: async () => undefined,
  };
  let clock = Date.now();
  const sso = createSsoSessions({
    config: CONFIG,
    provider,
    store: sqliteSsoSessionStore(file),
    accounts,
    log: () => {},
    now: () => clock,
  });
  return {
    accounts,
    sso,
    state,
    advance: (ms: number) => {
      clock += ms;
    },
    done: () => rm(dir, { recursive: true, force: true }),
  };
}

const cookie = (secret: string) => ({
  method: 'GET',
  headers: { cookie: `__Host-warden_session=${secret}` },
});

test('off-boarded at the IdP (no mapped group left): every session ends, and no API token of the person works', async () => {
  const w = await world();
  try {
    const pending = { state: 's', nonce: 'n', verifier: 'v' };
    const callback = new URL('https://warden.example.com/auth/callback?code=x');
    const first = await w.sso.finish(callback, pending);
    w.advance(30 * 60_000);
    const second = await w.sso.finish(callback, pending);
    assert.ok(first.ok && second.ok);
    // A token made for the person while they were admin (directly in the store: the API refuses it).
    const issued = issueToken();
    await w.accounts.createToken({ id: issued.id, userId: 'sso:mallory', name: 'ci', hash: issued.hash });
    await assert.rejects(authenticate(`Bearer ${issued.token}`, w.accounts), /single-sign-on users/);

    // The provider removes mallory from every group (left the company); the first session renews.
    w.state.groups = [];
    w.advance(31 * 60_000);
    await assert.rejects(w.sso.authenticate(cookie(first.secret)), /none maps to a Warden team|no groups/);
    // The second session, not yet due to renew, ended with it.
    await assert.rejects(w.sso.authenticate(cookie(second.secret)), /unknown or was signed out/);
  } finally {
    await w.done();
  }
});

test('demoted at the IdP: once one session renews, every session of the person has the new role', async () => {
  const w = await world();
  try {
    const pending = { state: 's', nonce: 'n', verifier: 'v' };
    const cb = new URL('https://warden.example.com/auth/callback?code=x');
    const a = await w.sso.finish(cb, pending);
    w.advance(50 * 60_000);
    const b = await w.sso.finish(cb, pending); // signed in again 50 minutes later (another browser)
    assert.ok(a.ok && b.ok);
    w.state.groups = ['everyone']; // demoted to viewer at the IdP
    w.advance(11 * 60_000); // session a expires and renews: demoted
    assert.equal((await w.sso.authenticate(cookie(a.secret))).role, 'viewer');
    assert.equal((await w.accounts.getUser('sso:mallory'))?.role, 'viewer');
    // Session b is not due to renew, and the account it reads says viewer.
    const p = await w.sso.authenticate(cookie(b.secret));
    assert.equal(p.role, 'viewer');
  } finally {
    await w.done();
  }
});
