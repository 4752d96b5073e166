import { createHash } from 'node:crypto';
import type { EntityJson } from '@cedar-policy/cedar-wasm/nodejs';
import { preparsePolicySet, statefulIsAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import { WardenError } from '../errors.ts';
import type { TeamRecord } from './account-store.ts';
import type { Principal } from './auth.ts';

/** What a caller wants to do through the API. */
export type ApiAction =
  | 'task.create'
  | 'task.read'
  | 'task.steer'
  | 'task.cancel'
  | 'approval.read'
  | 'approval.decide'
  | 'catalog.read'
  | 'accounts.manage'
  | 'key.issue'
  | 'key.read'
  | 'key.revoke'
  | 'gateway.audit';

/** What it is done to: a task or a gateway key (new or existing) of a team, or the server itself. */
export type ApiResource =
  | { kind: 'task'; id: string; team: string; root?: string; policy?: string }
  | { kind: 'server' }
  /** A gateway virtual key (new or existing) of a team. */
  | { kind: 'key'; id: string; team: string };

/**
 * Who may do what on the API, in Cedar like every other decision in Warden. Roles: an admin may do
 * anything; an operator starts tasks for their team (in the team's repository roots, under the
 * team's policies), steers and cancels them, and issues, lists and revokes their team's gateway keys;
 * an approver answers their team's approvals; everyone reads their own team's tasks.
 */
export const API_POLICIES: Record<string, string> = {
  admin: 'permit (principal, action, resource) when { principal.role == "admin" };',
  catalog: 'permit (principal, action == Action::"catalog.read", resource);',
  'operator-start': `permit (principal, action == Action::"task.create", resource) when {
    principal.role == "operator" && resource.team == principal.team &&
    principal.team.roots.contains(resource.root) && principal.team.policies.contains(resource.policy)
  };`,
  'team-read': `permit (principal, action in [Action::"task.read", Action::"approval.read"], resource)
    when { resource.team == principal.team };`,
  'operator-steer': `permit (principal, action in [Action::"task.steer", Action::"task.cancel"], resource)
    when { principal.role == "operator" && resource.team == principal.team };`,
  'approver-decide': `permit (principal, action == Action::"approval.decide", resource)
    when { principal.role == "approver" && resource.team == principal.team };`,
  'operator-keys': `permit (principal, action in [Action::"key.issue", Action::"key.read", Action::"key.revoke"], resource)
    when { principal.role == "operator" && resource.team == principal.team };`,
};

export interface Authorizer {
  /** Allowed, or a reason and the policies involved for the record. */
  check(principal: Principal, action: ApiAction, resource: ApiResource): AuthorizationResult;
}

export type AuthorizationResult = { allowed: true; policies: string[] } | { allowed: false; reason: string };

/**
 * `everything` expands a team's "all roots" and "all policies" (stored as undefined) to what the
 * server has now, so adding a root to the server's config reaches every team that had them all.
 */
export function createAuthorizer(everything: {
  roots: () => string[];
  policies: () => string[];
}): Authorizer {
  const setId = `warden-api-${createHash('sha256').update(JSON.stringify(API_POLICIES)).digest('hex').slice(0, 32)}`;
  const parsed = preparsePolicySet(setId, { staticPolicies: API_POLICIES });
  if (parsed.type === 'failure') {
    throw new WardenError(
      'server.authz',
      `the API policies do not parse: ${parsed.errors.map((e) => e.message).join('; ')}`,
    );
  }
  const teamEntity = (team: TeamRecord): EntityJson => ({
    uid: { type: 'Team', id: team.id },
    attrs: {
      roots: team.repositories ?? everything.roots(),
      policies: team.policies ?? everything.policies(),
    },
    parents: [],
  });
  return {
    check(principal, action, resource) {
      const resourceUid =
        resource.kind === 'server'
          ? { type: 'Server', id: 'warden' }
          : { type: resource.kind === 'key' ? 'Key' : 'Task', id: resource.id };
      const entities: EntityJson[] = [
        {
          uid: { type: 'User', id: principal.userId },
          attrs: { role: principal.role, team: { __entity: { type: 'Team', id: principal.team.id } } },
          parents: [],
        },
        teamEntity(principal.team),
      ];
      if (resource.kind === 'key') {
        entities.push({
          uid: resourceUid,
          attrs: { team: { __entity: { type: 'Team', id: resource.team } } },
          parents: [],
        });
      }
      if (resource.kind === 'task') {
        entities.push({
          uid: resourceUid,
          attrs: {
            team: { __entity: { type: 'Team', id: resource.team } },
            ...(resource.root === undefined ? {} : { root: resource.root }),
            ...(resource.policy === undefined ? {} : { policy: resource.policy }),
          },
          parents: [],
        });
      }
      const answer = statefulIsAuthorized({
        principal: { type: 'User', id: principal.userId },
        action: { type: 'Action', id: action },
        resource: resourceUid,
        context: {},
        preparsedPolicySetId: setId,
        entities,
      });
      if (answer.type === 'failure') {
        return {
          allowed: false,
          reason: `authorization failed: ${answer.errors.map((e) => e.message).join('; ')}`,
        };
      }
      const { decision, diagnostics } = answer.response;
      if (decision === 'allow') return { allowed: true, policies: diagnostics.reason };
      return {
        allowed: false,
        reason: `${principal.userId} (${principal.role} of team "${principal.team.id}") may not ${VERBS[action]} ${describe(resource)}`,
      };
    },
  };
}

const VERBS: Record<ApiAction, string> = {
  'task.create': 'start',
  'task.read': 'read',
  'task.steer': 'steer',
  'task.cancel': 'cancel',
  'approval.read': 'see the approvals of',
  'approval.decide': 'answer the approvals of',
  'catalog.read': 'list the models and policies',
  'accounts.manage': 'manage users, teams and tokens',
  'key.issue': 'issue gateway keys for',
  'key.read': 'list the gateway keys of',
  'key.revoke': 'revoke gateway keys of',
  'gateway.audit': 'verify the gateway audit log',
};

function describe(resource: ApiResource): string {
  if (resource.kind === 'server') return 'of this server';
  if (resource.kind === 'key') return `team "${resource.team}"`;
  const where = resource.root ? ` in ${resource.root}` : '';
  const under = resource.policy ? ` under policy "${resource.policy}"` : '';
  return `a task of team "${resource.team}"${where}${under}`;
}
