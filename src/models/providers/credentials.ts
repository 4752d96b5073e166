import { WardenError } from '../../errors.ts';

/** What every keyed provider factory takes; `fetch` and `baseURL` exist for tests and proxies. */
export interface HostedModelOptions {
  env: NodeJS.ProcessEnv;
  /** Read the key from this variable instead of the provider's usual one. */
  apiKeyEnv?: string;
  baseURL?: string;
  fetch?: typeof fetch;
}

/**
 * The one-line fix for a missing or rejected key. Keys come from the environment only, never
 * from a config file, so the fix is always an export.
 */
export function keyFix(variable: string): string {
  return `export ${variable}=… or pick another model with --model`;
}

/** The key from the environment, or a `model.credentials` error naming the variable. */
export function requireApiKey(env: NodeJS.ProcessEnv, variable: string): string {
  const value = env[variable];
  if (value === undefined || value.trim() === '') {
    throw new WardenError('model.credentials', `${variable} is not set: ${keyFix(variable)}`);
  }
  return value.trim();
}

/**
 * A base URL must be http(s): anything else is a typo or an attempt to point the SDK at
 * something that is not an API. Returned without a trailing slash, as the SDKs join paths.
 */
export function checkBaseUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WardenError('model.base_url', `base URL "${value}" is not a valid URL`, {
      where,
      hint: 'write it as http(s)://host[:port]/path',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WardenError(
      'model.base_url',
      `base URL "${value}" must use http or https, not ${url.protocol}`,
      {
        where,
      },
    );
  }
  return value.replace(/\/+$/, '');
}
