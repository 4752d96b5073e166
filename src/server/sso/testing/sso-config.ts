import type { GroupMapping, SsoConfig } from '../config.ts';

/** An `sso:` setting for tests of sessions, with the given group mappings. */
export function testSsoConfig(roles: GroupMapping[]): SsoConfig {
  return {
    issuer: new URL('https://login.example.com'),
    clientId: 'warden',
    clientSecretEnv: undefined,
    redirectUrl: new URL('https://warden.example.com/auth/callback'),
    publicUrl: new URL('https://warden.example.com/'),
    scopes: ['openid'],
    groupsClaim: 'groups',
    userClaim: 'sub',
    roles,
    sessionMinutes: 60,
    where: 'server.yaml:1',
  };
}
