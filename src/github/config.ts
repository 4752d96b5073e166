import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { WardenError } from '../errors.ts';
import { type ConfigLayer, readConfigLayer } from '../models/config.ts';

/** `github:` in server.yaml: the App Warden acts as, and which repositories it works on for whom. */
export interface GitHubConfig {
  appId: string;
  /** The App's private key (PEM), read by the broker on the host; never given to a session. */
  privateKeyFile: string;
  /** The environment variable holding the webhook secret (the secret is never in the file). */
  webhookSecretEnv: string;
  /** REST API base: `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  apiUrl: string;
  /** Where repositories are cloned from: `https://github.com`, or the Enterprise host. */
  webUrl: string;
  /** The issue label that starts a task. */
  label: string;
  /** The comment prefix that starts or steers a task: `/warden <instruction>`. */
  command: string;
  /**
   * Whether the repository's CI may run on Warden's pushes before anyone reviewed them. Off: every
   * commit Warden pushes says `[skip ci]`, so push and pull_request workflows (which get the
   * repository's secrets for a branch in the repository itself) do not run the agent's code.
   */
  runCi: boolean;
  /** First match wins; `owner/*` matches every repository of an owner. */
  repositories: RepositoryRoute[];
}

export interface RepositoryRoute {
  pattern: string;
  team: string;
  policy: string;
  /** Unset: the server's default model. */
  model?: string;
  /** Where the entry is in server.yaml, for messages. */
  where: string;
}

const FULL_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/(?:\*|[A-Za-z0-9._-]{1,100})$/;

const schema = z.strictObject({
  app_id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/, 'is a number')]),
  private_key_file: z.string().min(1),
  webhook_secret_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'is an environment variable name')
    .default('WARDEN_GITHUB_WEBHOOK_SECRET'),
  api_url: z.url().default('https://api.github.com'),
  web_url: z.url().default('https://github.com'),
  label: z.string().min(1).max(50).default('warden'),
  run_ci: z.boolean().default(false),
  command: z
    .string()
    .regex(/^\/[a-z][a-z0-9-]*$/, 'is a slash and a word, such as /warden')
    .default('/warden'),
  repositories: z
    .array(
      z.strictObject({
        repository: z.string().regex(FULL_NAME, 'is owner/name or owner/*'),
        team: z.string().min(1),
        policy: z.string().min(1).default('default'),
        model: z.string().min(1).optional(),
      }),
    )
    .min(1, 'names at least one repository'),
});

export const GITHUB_TEMPLATE = `
# A GitHub App: an issue labelled "warden", or a comment "/warden <instruction>" by someone with
# write access, starts a task under the team and policy of its repository; the broker pushes a
# warden/… branch and opens a pull request with a signed receipt. See README, "GitHub App".
# github:
#   app_id: 123456
#   private_key_file: keys/github-app.pem            # mode 0600; only the broker on the host reads it
#   webhook_secret_env: WARDEN_GITHUB_WEBHOOK_SECRET # the variable holding the webhook secret
#   run_ci: false          # true: CI runs the agent's unreviewed code, with the repository's secrets
#   repositories:
#     - { repository: acme/api, team: backend, policy: default }
#     - { repository: acme/*, team: platform }
`;

/** The `github:` section, checked; undefined when there is none (the App is off). */
export function parseGitHubConfig(raw: unknown, file: string): GitHubConfig | undefined {
  if (raw === undefined) return undefined;
  let layer: ConfigLayer | undefined;
  const locate = (path: readonly PropertyKey[]) => {
    layer ??= readConfigLayer(file, 'user');
    return layer.locate?.(['github', ...path]) ?? file;
  };
  const parsed = schema.safeParse(raw ?? {});
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    const path = issue?.path ?? [];
    const unknown = issue?.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const named = ['github', ...path, ...(unknown === undefined ? [] : [unknown])].join('.');
    throw new WardenError(
      'server.config',
      unknown === undefined ? `${named} ${issue?.message}` : `"${named}" is not a known key`,
      {
        where: locate(unknown === undefined ? path : [...path, unknown]),
        hint: 'github: takes app_id, private_key_file, webhook_secret_env, api_url, web_url, label, command and repositories (see the comments in a fresh server.yaml)',
      },
    );
  }
  const data = parsed.data;
  const base = file.slice(0, file.lastIndexOf('/')) || '/';
  return {
    appId: String(data.app_id),
    privateKeyFile: isAbsolute(data.private_key_file)
      ? data.private_key_file
      : resolve(base, data.private_key_file),
    webhookSecretEnv: data.webhook_secret_env,
    apiUrl: data.api_url.replace(/\/+$/, ''),
    webUrl: data.web_url.replace(/\/+$/, ''),
    label: data.label,
    runCi: data.run_ci,
    command: data.command,
    repositories: data.repositories.map((entry, index) => ({
      pattern: entry.repository.toLowerCase(),
      team: entry.team,
      policy: entry.policy,
      ...(entry.model === undefined ? {} : { model: entry.model }),
      where: locate(['repositories', index]),
    })),
  };
}

/** The route of a repository (`owner/name`, any case), or undefined when Warden does not work on it. */
export function routeOf(config: GitHubConfig, fullName: string): RepositoryRoute | undefined {
  const name = fullName.toLowerCase();
  const owner = name.split('/')[0];
  return config.repositories.find((route) => route.pattern === name || route.pattern === `${owner}/*`);
}
