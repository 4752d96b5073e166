import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isWardenError } from '../errors.ts';
import { authenticate, issueToken } from './auth.ts';
import { openSqliteAccountStore } from './sqlite-account-store.ts';

async function setup() {
  const accounts = openSqliteAccountStore(':memory:');
  const none = { budgetTokens: undefined, budgetCost: undefined, concurrency: undefined };
  await accounts.createTeam({ id: 'red', ...none, repositories: undefined, policies: undefined });
  await accounts.createUser({ id: 'alice', team: 'red', role: 'operator' });
  const issued = issueToken();
  await accounts.createToken({ id: issued.id, userId: 'alice', name: 'ci', hash: issued.hash });
  return { accounts, issued };
}

const refused = (pattern: RegExp) => (error: unknown) =>
  isWardenError(error) && error.code === 'auth.unauthenticated' && pattern.test(error.message);

test('a token is 32 random bytes of secret of which only the SHA-256 is kept', () => {
  const { token, hash, id } = issueToken();
  assert.match(token, /^wdn_[a-f0-9]{16}_[A-Za-z0-9_-]{43}$/);
  assert.ok(token.startsWith(`wdn_${id}_`));
  assert.match(hash, /^[a-f0-9]{64}$/);
  assert.ok(!token.includes(hash));
  assert.notEqual(issueToken().token, token);
});

test('a valid bearer token names its user, role and team', async () => {
  const { accounts, issued } = await setup();
  const principal = await authenticate(`Bearer ${issued.token}`, accounts);
  assert.deepEqual([principal.userId, principal.role, principal.team.id], ['alice', 'operator', 'red']);
});

test('missing, malformed, wrong and revoked tokens are refused, each saying why', async () => {
  const { accounts, issued } = await setup();
  await assert.rejects(authenticate(undefined, accounts), refused(/no Authorization header/));
  await assert.rejects(authenticate(`Basic ${issued.token}`, accounts), refused(/not "Bearer <token>"/));
  await assert.rejects(authenticate('Bearer wdn_short', accounts), refused(/malformed/));
  const wrongSecret = `${issued.token.slice(0, -4)}AAAA`;
  await assert.rejects(authenticate(`Bearer ${wrongSecret}`, accounts), refused(/unknown or revoked/));
  const unknownId = `wdn_${'0'.repeat(16)}_${issued.token.slice(-43)}`;
  await assert.rejects(authenticate(`Bearer ${unknownId}`, accounts), refused(/unknown or revoked/));
  await accounts.revokeToken(issued.id);
  await assert.rejects(authenticate(`Bearer ${issued.token}`, accounts), refused(/unknown or revoked/));
});
