import { z } from 'zod';
import { WardenError } from '../errors.ts';
import { type Credential, type MissingCredential, sendsSafely } from './credentials.ts';

/**
 * The `credentials:` section of the user's `warden.config.yaml`:
 *
 * ```yaml
 * credentials:
 *   github:                      # the name the policy's `secrets:` grants acts to
 *     host: github.com           # the only host it is sent to (or host:port)
 *     token_env: GH_TOKEN        # default WARDEN_SECRET_GITHUB
 *     username: x-access-token   # the default
 *     api_url: https://ghe.example.com/api/v3   # where pull requests go; derived from host if unset
 * ```
 *
 * Tokens come from the environment, never from the file. A repository's config may not have this
 * section at all: it would choose where a token is sent.
 */
const NAME = /^[a-z][a-z0-9_-]*$/;
const NAME_RULE = 'names are lower-case words, as in the policy\'s "secrets:"';
const API_URL_RULE =
  'must be an https URL of a GitHub-style REST API, such as https://ghe.example.com/api/v3 (http only to this machine), without user, query or fragment';

/** The API base as requests use it (no trailing slash), or undefined when the token may not go there. */
function apiUrlOf(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!sendsSafely(url) || url.username || url.password || url.search || url.hash) return undefined;
  return url.href.replace(/\/+$/, '');
}

const HOST = /^([a-z0-9-]+(\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;

const entrySchema = z.strictObject({
  host: z.string({ error: 'must be a host name' }).regex(HOST, {
    error: 'must be a host name, optionally with a port: github.com, git.example.com:8443',
  }),
  token_env: z
    .string({ error: 'must be an environment variable name' })
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' })
    .optional(),
  username: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).optional(),
  api_url: z
    .string({ error: API_URL_RULE })
    .refine((url) => apiUrlOf(url) !== undefined, { error: API_URL_RULE })
    .optional(),
});

const sectionSchema = z.record(z.string().regex(NAME, { error: NAME_RULE }), entrySchema, {
  error: 'must be a mapping of credential name to {host, token_env, username, api_url}',
});

export interface ConfiguredCredentials {
  credentials: Credential[];
  /** Declared, but their variable is not set: not an error (the config serves many repositories). */
  missing: MissingCredential[];
}

/** `WARDEN_SECRET_<NAME>`: the variable a credential's token is read from by default. */
export function defaultTokenEnv(name: string): string {
  return `WARDEN_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/**
 * The credentials a trusted config section declares, with their tokens from `env`. `where` turns a
 * key path into `file:line:col` for errors.
 */
export function credentialsFromConfig(
  section: unknown,
  env: NodeJS.ProcessEnv,
  where: (path: readonly PropertyKey[]) => string,
  source: string,
): ConfiguredCredentials {
  if (section === undefined) return { credentials: [], missing: [] };
  const parsed = sectionSchema.safeParse(section);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = [
      'credentials',
      ...(issue?.path ?? []),
      ...(issue?.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : []),
    ];
    const key = path.map(String).join('.');
    const message =
      issue?.code === 'unrecognized_keys'
        ? 'is not a known key'
        : issue?.code === 'invalid_key'
          ? `is not a valid name: ${NAME_RULE}`
          : (issue?.message ?? 'is invalid');
    throw new WardenError('config.invalid', `"${key}" ${message}`, {
      where: where(path),
      hint: 'each credential is {host, token_env?, username?, api_url?}; the token itself stays in the environment',
    });
  }
  const credentials: Credential[] = [];
  const missing: MissingCredential[] = [];
  for (const [name, entry] of Object.entries(parsed.data)) {
    const host = normalHost(entry.host);
    const tokenEnv = entry.token_env ?? defaultTokenEnv(name);
    const token = env[tokenEnv];
    if (token === undefined || token === '') missing.push({ name, host, tokenEnv });
    else
      credentials.push({
        name,
        host,
        username: entry.username ?? 'x-access-token',
        password: token,
        origin: `${source} (credentials.${name}, token from ${tokenEnv})`,
        ...(entry.api_url === undefined ? {} : { apiUrl: apiUrlOf(entry.api_url) as string }),
      });
  }
  return { credentials, missing };
}

/** As a URL's host reads: lower-case, the default port dropped (`github.com:443` is `github.com`). */
function normalHost(host: string): string {
  const { host: normal } = new URL(`https://${host}`);
  return normal;
}
