import { z } from 'zod';
import { WardenError } from '../../errors.ts';
import { type ConfigLayer, readConfigLayer } from '../../models/config.ts';
import { ROLES, type Role } from '../account-store.ts';

/** `sso:` in server.yaml: sign-in with an OpenID Connect provider, and what its groups may do here. */
export interface SsoConfig {
  /** The issuer; its `/.well-known/openid-configuration` is read at the first sign-in. */
  issuer: URL;
  clientId: string;
  /** The environment variable holding the client secret; undefined: a public client (PKCE only). */
  clientSecretEnv: string | undefined;
  /** Where the provider sends the browser back: registered at the provider, never taken from a request. */
  redirectUrl: URL;
  /** The console's address, where sign-in and sign-out end. */
  publicUrl: URL;
  scopes: string[];
  groupsClaim: string;
  /** The claim a Warden user is named by, `sso:<value>`: `sub` unless another is as stable. */
  userClaim: string;
  /** First match wins (see the README): the order is the precedence, not the roles' rank. */
  roles: GroupMapping[];
  /** How long a session lasts before it is checked again with the provider. */
  sessionMinutes: number;
  /** Where `sso:` starts in server.yaml, for messages. */
  where: string;
}

export interface GroupMapping {
  group: string;
  team: string;
  role: Role;
}

export const DEFAULT_SESSION_MINUTES = 60;
export const MAX_SESSION_MINUTES = 12 * 60;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const schema = z
  .strictObject({
    issuer: z.url(),
    client_id: z.string().min(1),
    client_secret_env: z.string().regex(ENV_NAME, 'is an environment variable name').optional(),
    redirect_url: z.url().optional(),
    public_url: z.url().optional(),
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'is a scope name')).default([]),
    groups_claim: z.string().min(1).default('groups'),
    user_claim: z.string().min(1).default('sub'),
    roles: z
      .array(
        z.strictObject({
          group: z.string().min(1),
          team: z.string().min(1),
          role: z.enum(ROLES),
        }),
      )
      .min(1, 'maps at least one group'),
    session_minutes: z.number().int().min(1).max(MAX_SESSION_MINUTES).default(DEFAULT_SESSION_MINUTES),
  })
  .refine((sso) => sso.redirect_url !== undefined || sso.public_url !== undefined, {
    message:
      'needs redirect_url or public_url: the address the provider sends people back to is never taken from a request',
  });

export const SSO_TEMPLATE = `
# Single sign-on with an OpenID Connect provider (Okta, Entra ID, Keycloak, Google, …): the console
# offers "Sign in with SSO"; the provider's groups map to a team and role here, first match wins.
# See README, "Single sign-on (OIDC)".
# sso:
#   issuer: https://login.example.com/realms/acme    # its /.well-known/openid-configuration
#   client_id: warden
#   client_secret_env: WARDEN_SSO_CLIENT_SECRET      # the variable holding the secret
#   public_url: https://warden.example.com           # callback: <public_url>/auth/callback
#   scopes: [profile, email, groups]                 # openid is always asked for
#   groups_claim: groups
#   session_minutes: 60                              # then checked again with the provider
#   roles:
#     - { group: warden-admins, team: default, role: admin }
#     - { group: backend, team: backend, role: operator }
#     - { group: everyone, team: default, role: viewer }
`;

/** The `sso:` section, checked; undefined when there is none (sign-in is by API token only). */
export function parseSsoConfig(raw: unknown, file: string): SsoConfig | undefined {
  if (raw === undefined) return undefined;
  let layer: ConfigLayer | undefined;
  const locate = (path: readonly PropertyKey[]) => {
    layer ??= readConfigLayer(file, 'user');
    return layer.locate?.(['sso', ...path]) ?? file;
  };
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = issue?.path ?? [];
    const unknown = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const named = ['sso', ...path, ...(unknown === undefined ? [] : [unknown])].join('.');
    throw new WardenError(
      'server.config',
      unknown === undefined ? `${named} ${issue?.message}` : `"${named}" is not a known key`,
      {
        where: locate(unknown === undefined ? path : [...path, unknown]),
        hint: 'sso: takes issuer, client_id, client_secret_env, redirect_url or public_url, scopes, groups_claim, user_claim, roles and session_minutes (see the comments in a fresh server.yaml)',
      },
    );
  }
  const data = parsed.data;
  const fail = (path: PropertyKey[], message: string, hint?: string): never => {
    throw new WardenError('server.config', `${['sso', ...path].join('.')} ${message}`, {
      where: locate(path),
      ...(hint ? { hint } : {}),
    });
  };
  const publicUrl = new URL(data.public_url ?? new URL('/', data.redirect_url).href);
  const redirectUrl = new URL(data.redirect_url ?? new URL('auth/callback', withSlash(publicUrl)).href);
  const issuer = new URL(data.issuer);
  for (const [key, url] of [
    ['issuer', issuer],
    [data.redirect_url ? 'redirect_url' : 'public_url', redirectUrl],
  ] as const) {
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      fail(
        [key],
        'must be https:// (http:// only on this machine)',
        'the provider and the browser exchange codes and cookies over it',
      );
    }
  }
  if (redirectUrl.pathname !== '/auth/callback') {
    fail(
      [data.redirect_url ? 'redirect_url' : 'public_url'],
      `makes the callback ${redirectUrl.pathname}, but Warden answers it at /auth/callback`,
      'serve Warden at the root of its address and register <public_url>/auth/callback at the provider',
    );
  }
  if (redirectUrl.origin !== publicUrl.origin) {
    fail(['redirect_url'], 'and public_url must be one origin: the session cookie is set on the callback');
  }
  return {
    issuer,
    clientId: data.client_id,
    clientSecretEnv: data.client_secret_env,
    redirectUrl,
    publicUrl,
    scopes: ['openid', ...data.scopes.filter((scope) => scope !== 'openid')],
    groupsClaim: data.groups_claim,
    userClaim: data.user_claim,
    roles: data.roles,
    sessionMinutes: data.session_minutes,
    where: locate([]),
  };
}

function withSlash(url: URL): string {
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
