import type { GroupMapping } from './config.ts';

/**
 * The team and role of someone in `groups`: the first entry of `sso.roles` whose group they are in.
 * The order in server.yaml is the precedence, so an admin decides it (admins first, as a rule)
 * rather than Warden guessing whether an operator of one team outranks an approver of another.
 */
export function mapGroups(
  roles: readonly GroupMapping[],
  groups: readonly string[],
): GroupMapping | undefined {
  const held = new Set(groups);
  return roles.find((entry) => held.has(entry.group));
}

/**
 * The groups claim as providers send it: a list of strings (Okta, Keycloak, Entra ID), or one
 * string when there is a single group. Anything else counts as no groups.
 */
export function groupsOf(claims: Record<string, unknown>, claim: string): string[] | undefined {
  const value = claims[claim];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return undefined;
}
