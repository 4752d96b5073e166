import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { App } from '@octokit/app';
import { Octokit } from '@octokit/core';
import { WardenError } from '../errors.ts';
import type { GitHubConfig } from './config.ts';

/** What a token made for one repository may do, as GitHub names the permissions. */
export type Permissions = Partial<
  Record<'contents' | 'issues' | 'pull_requests' | 'checks' | 'metadata', 'read' | 'write'>
>;

/** A client for one repository, with an installation token scoped to it alone. */
export interface RepositoryClient {
  octokit: Octokit;
  /** For git over HTTPS (`x-access-token:<token>`), on the host only. */
  token: string;
  owner: string;
  repo: string;
}

/** The App as the broker holds it: its private key never leaves this process. */
export interface GitHubApp {
  config: GitHubConfig;
  /**
   * A fresh installation token (never a cached one) for `owner/name` with exactly `permissions`:
   * what a task may touch is one repository, whatever else the App is installed on.
   */
  forRepository(
    installationId: number,
    fullName: string,
    permissions: Permissions,
    /** `cached`: a token made earlier for the same repository and permissions may be reused (webhook intake). */
    reuse?: 'fresh' | 'cached',
  ): Promise<RepositoryClient>;
}

export function openGitHubApp(config: GitHubConfig): GitHubApp {
  const privateKey = readPrivateKey(config.privateKeyFile);
  const ApiOctokit = Octokit.defaults({ baseUrl: config.apiUrl, userAgent: 'warden-github-app' });
  const app = new App({ appId: config.appId, privateKey, Octokit: ApiOctokit });
  return {
    config,
    async forRepository(installationId, fullName, permissions, reuse = 'fresh') {
      const [owner = '', repo = ''] = fullName.split('/');
      const { token } = (await app.octokit.auth({
        type: 'installation',
        installationId,
        repositoryNames: [repo],
        permissions,
        refresh: reuse === 'fresh',
      })) as { token: string };
      return { octokit: new ApiOctokit({ auth: token }), token, owner, repo };
    },
  };
}

/** The App's key, refused when others can read it or it is not a plain file. */
function readPrivateKey(path: string): string {
  const where = { where: path };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    throw new WardenError(
      'github.key',
      `cannot open the GitHub App's private key: ${(error as Error).message}`,
      {
        ...where,
        hint: "download it from the App's settings page (Private keys) and set github.private_key_file",
      },
    );
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile())
      throw new WardenError('github.key', "the GitHub App's private key is not a file", where);
    if ((stat.mode & 0o077) !== 0)
      throw new WardenError(
        'github.key',
        `the GitHub App's private key is readable by others (mode ${(stat.mode & 0o777).toString(8)})`,
        { ...where, hint: `chmod 600 ${path}` },
      );
    const pem = readFileSync(fd, 'utf8');
    if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem))
      throw new WardenError('github.key', "the GitHub App's private key is not a PEM private key", where);
    return pem;
  } finally {
    closeSync(fd);
  }
}
