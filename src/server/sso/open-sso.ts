import { WardenError } from '../../errors.ts';
import type { Backend } from '../backend.ts';
import type { SsoConfig } from './config.ts';
import { openIdProvider } from './provider.ts';
import { createSsoSessions, type SsoSessions } from './sso-sessions.ts';

/** Single sign-on for `warden serve`: the provider (read at the first sign-in), sessions in the backend. */
export function openSso(
  config: SsoConfig,
  backend: Pick<Backend, 'accounts' | 'ssoSessions'>,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): SsoSessions {
  return createSsoSessions({
    config,
    provider: openIdProvider(config, env),
    store: backend.ssoSessions,
    accounts: backend.accounts,
    log,
  });
}

/** A confidential client's secret must be in the environment before the server starts, not at the first sign-in. */
export function requireSsoSecret(config: SsoConfig, env: NodeJS.ProcessEnv): void {
  if (config.clientSecretEnv && !env[config.clientSecretEnv]) {
    throw new WardenError('server.config', `sso.client_secret_env: ${config.clientSecretEnv} is not set`, {
      where: config.where,
      hint: `start warden serve with the OpenID client's secret in ${config.clientSecretEnv}`,
    });
  }
}
