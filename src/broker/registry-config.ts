import { WardenError } from '../errors.ts';
import { PUBLIC_REGISTRIES, type RegistryEndpoints } from './registry-lookup.ts';

/**
 * Where packages are looked up. Only trusted sources may say: the environment Warden runs in and
 * the user's own config file. A repository's config may not, since a repository that picks the
 * registry picks the answers ("yes, that package exists and is old and popular").
 *
 * ```yaml
 * # ~/.config/warden/warden.config.yaml
 * registries:
 *   npm: https://npm.internal.example      # or WARDEN_NPM_REGISTRY
 *   npm_downloads: off                     # or WARDEN_NPM_DOWNLOADS; off for a registry without counts
 *   pypi: https://pypi.internal.example    # or WARDEN_PYPI_REGISTRY (serves /pypi/NAME/json)
 *   crates: https://crates.internal.example  # or WARDEN_CRATES_REGISTRY
 *   go: https://goproxy.internal.example   # or WARDEN_GO_PROXY
 * ```
 */

const KEYS = {
  npm: { config: 'npm', env: 'WARDEN_NPM_REGISTRY' },
  npmDownloads: { config: 'npm_downloads', env: 'WARDEN_NPM_DOWNLOADS' },
  pypi: { config: 'pypi', env: 'WARDEN_PYPI_REGISTRY' },
  crates: { config: 'crates', env: 'WARDEN_CRATES_REGISTRY' },
  go: { config: 'go', env: 'WARDEN_GO_PROXY' },
} as const;

/** The user's config file, already read (its `registries` section is looked at here). */
export interface TrustedConfig {
  source: string;
  data: unknown;
  locate?: (path: readonly PropertyKey[]) => string;
}

export function registryEndpoints(env: NodeJS.ProcessEnv, user?: TrustedConfig): RegistryEndpoints {
  const section = sectionOf(user);
  const known = Object.values(KEYS).map((k) => k.config as string);
  for (const key of Object.keys(section)) {
    if (!known.includes(key)) {
      throw new WardenError('config.invalid', `"registries.${key}" is not a known key`, {
        where: user?.locate?.(['registries', key]) ?? user?.source,
        hint: `the keys are ${known.join(', ')}`,
      });
    }
  }
  const endpoints: RegistryEndpoints = { ...PUBLIC_REGISTRIES };
  for (const [field, key] of Object.entries(KEYS) as Array<
    [keyof RegistryEndpoints, (typeof KEYS)[keyof typeof KEYS]]
  >) {
    const fromEnv = env[key.env];
    const fromConfig = section[key.config];
    const [value, where] =
      fromEnv !== undefined && fromEnv !== ''
        ? [fromEnv, `the environment variable ${key.env}`]
        : [fromConfig, user?.locate?.(['registries', key.config]) ?? user?.source ?? ''];
    if (value === undefined) continue;
    if (field === 'npmDownloads' && value === 'off') endpoints.npmDownloads = undefined;
    else endpoints[field] = baseUrl(value, where, field === 'npmDownloads');
  }
  return endpoints;
}

function sectionOf(user: TrustedConfig | undefined): Record<string, unknown> {
  const data = user?.data;
  if (typeof data !== 'object' || data === null || !('registries' in data)) return {};
  const section = (data as { registries: unknown }).registries;
  if (typeof section === 'object' && section !== null && !Array.isArray(section))
    return section as Record<string, unknown>;
  throw new WardenError('config.invalid', '"registries" must be a mapping of registry to base URL', {
    where: user?.locate?.(['registries']) ?? user?.source,
  });
}

function baseUrl(value: unknown, where: string, offAllowed: boolean): string {
  const fail = () =>
    new WardenError('config.invalid', `${JSON.stringify(value)} is not an http(s) base URL`, {
      where,
      hint: `give one like https://registry.example.com${offAllowed ? ', or off' : ''}`,
    });
  if (typeof value !== 'string') throw fail();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fail();
  }
  if (url.username || url.password) {
    // It would travel in every event that names the registry.
    throw new WardenError('config.invalid', 'a registry URL may not hold credentials', {
      where,
      hint: 'give the base URL without user:password@',
    });
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) throw fail();
  return url.href.replace(/\/+$/, '');
}
