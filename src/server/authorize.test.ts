import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Role, TeamRecord } from './account-store.ts';
import type { Principal } from './auth.ts';
import { type ApiAction, type ApiResource, createAuthorizer } from './authorize.ts';

const team = (id: string, extra: Partial<TeamRecord> = {}): TeamRecord => ({
  id,
  budgetTokens: undefined,
  budgetCost: undefined,
  concurrency: undefined,
  repositories: undefined,
  policies: undefined,
  createdAt: '',
  ...extra,
});
const who = (role: Role, of = team('red')): Principal => ({
  userId: `${role}-1`,
  role,
  team: of,
  tokenId: 'x',
});
const authorizer = createAuthorizer({
  roots: () => ['/srv/a', '/srv/b'],
  policies: () => ['default', 'strict'],
});
const allowed = (p: Principal, action: ApiAction, resource: ApiResource) =>
  authorizer.check(p, action, resource).allowed;

const start = (teamId = 'red', root = '/srv/a', policy = 'default'): ApiResource => ({
  kind: 'task',
  id: 'new',
  team: teamId,
  root,
  policy,
});
const redTask: ApiResource = { kind: 'task', id: 't1', team: 'red' };
const blueTask: ApiResource = { kind: 'task', id: 't2', team: 'blue' };
const server: ApiResource = { kind: 'server' };

test('who may start tasks: operators and admins, not viewers or approvers', () => {
  assert.equal(allowed(who('operator'), 'task.create', start()), true);
  assert.equal(allowed(who('admin'), 'task.create', start()), true);
  assert.equal(allowed(who('viewer'), 'task.create', start()), false);
  assert.equal(allowed(who('approver'), 'task.create', start()), false);
});

test("an operator starts tasks only in the team's roots and under the team's policies", () => {
  const narrow = who('operator', team('red', { repositories: ['/srv/b'], policies: ['strict'] }));
  assert.equal(allowed(narrow, 'task.create', start('red', '/srv/b', 'strict')), true);
  assert.equal(allowed(narrow, 'task.create', start('red', '/srv/a', 'strict')), false);
  assert.equal(allowed(narrow, 'task.create', start('red', '/srv/b', 'default')), false);
  assert.equal(allowed(who('operator'), 'task.create', start('blue')), false, 'not for another team');
  const none = who('operator', team('red', { repositories: [] }));
  assert.equal(allowed(none, 'task.create', start()), false, 'an empty list is none, not all');
});

test("everyone reads their own team's tasks and approvals, nobody another team's, admins all", () => {
  for (const role of ['viewer', 'operator', 'approver'] as const) {
    assert.equal(allowed(who(role), 'task.read', redTask), true, role);
    assert.equal(allowed(who(role), 'approval.read', redTask), true, role);
    assert.equal(allowed(who(role), 'task.read', blueTask), false, role);
  }
  assert.equal(allowed(who('admin'), 'task.read', blueTask), true);
});

test('only operators steer and cancel; only approvers (and admins) answer approvals', () => {
  assert.equal(allowed(who('operator'), 'task.steer', redTask), true);
  assert.equal(allowed(who('operator'), 'task.cancel', redTask), true);
  assert.equal(allowed(who('operator'), 'task.cancel', blueTask), false);
  assert.equal(allowed(who('viewer'), 'task.cancel', redTask), false);
  assert.equal(allowed(who('approver'), 'approval.decide', redTask), true);
  assert.equal(allowed(who('approver'), 'approval.decide', blueTask), false);
  assert.equal(allowed(who('operator'), 'approval.decide', redTask), false, 'who starts does not approve');
  assert.equal(allowed(who('viewer'), 'approval.decide', redTask), false);
});

test('accounts are an admin matter; the catalog is open to every user', () => {
  assert.equal(allowed(who('admin'), 'accounts.manage', server), true);
  for (const role of ['viewer', 'operator', 'approver'] as const) {
    assert.equal(allowed(who(role), 'accounts.manage', server), false, role);
    assert.equal(allowed(who(role), 'catalog.read', server), true, role);
  }
});

test('a refusal names who, what and where; an allow names the Cedar policy', () => {
  const answer = authorizer.check(who('viewer'), 'task.create', start());
  assert.deepEqual(answer, {
    allowed: false,
    reason:
      'viewer-1 (viewer of team "red") may not start a task of team "red" in /srv/a under policy "default"',
  });
  assert.deepEqual(authorizer.check(who('approver'), 'approval.decide', redTask), {
    allowed: true,
    policies: ['approver-decide'],
  });
});

test('gateway keys: an admin for any team, an operator for their own, viewers and approvers never', () => {
  const redKey: ApiResource = { kind: 'key', id: 'new', team: 'red' };
  const blueKey: ApiResource = { kind: 'key', id: 'wk-0123456789ab', team: 'blue' };
  for (const action of ['key.issue', 'key.read', 'key.revoke'] as const) {
    assert.equal(allowed(who('admin'), action, blueKey), true, `admin ${action}`);
    assert.equal(allowed(who('operator'), action, redKey), true, `operator ${action}`);
    assert.equal(allowed(who('operator'), action, blueKey), false, `operator ${action} of another team`);
    assert.equal(allowed(who('viewer'), action, redKey), false, `viewer ${action}`);
    assert.equal(allowed(who('approver'), action, redKey), false, `approver ${action}`);
  }
  assert.equal(allowed(who('admin'), 'gateway.audit', server), true);
  assert.equal(allowed(who('operator'), 'gateway.audit', server), false);
  assert.equal(
    authorizer.check(who('viewer'), 'key.issue', redKey).allowed === false &&
      (authorizer.check(who('viewer'), 'key.issue', redKey) as { reason: string }).reason,
    'viewer-1 (viewer of team "red") may not issue gateway keys for team "red"',
  );
});
