import { withCredentialHelper } from '../broker/credential-helper.ts';
import { git } from '../broker/git.ts';
import { oneTransport } from '../broker/git-transport.ts';

/**
 * Pushes one commit to one branch of the repository at `url`, from the host: the token goes to git
 * through a credential helper bound to the URL's host, never into argv, the URL or `.git/config`;
 * no transport but the URL's own, no redirects, no global or system config. Never a force push:
 * a branch that moved since the clone is refused by the remote, not overwritten.
 */
export async function pushCommit(options: {
  root: string;
  url: string;
  commit: string;
  branch: string;
  token: string;
  timeoutMs: number;
}): Promise<{ ok: true } | { ok: false; message: string }> {
  const scheme = new URL(options.url).protocol.replace(/:$/, '');
  const settings = [...oneTransport(scheme), '-c', 'push.recurseSubmodules=no'];
  const argv = [
    'push',
    '--porcelain',
    '--no-verify',
    '--',
    options.url,
    `${options.commit}:refs/heads/${options.branch}`,
  ];
  const credential = {
    name: 'github-app',
    host: new URL(options.url).host,
    username: 'x-access-token',
    password: options.token,
    origin: 'the GitHub App installation token',
  };
  const result = await withCredentialHelper(credential, options.url, (setup) =>
    git(options.root, [...settings, ...setup.args, ...argv], {
      env: {
        ...setup.env,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_ALLOW_PROTOCOL: scheme,
      },
      timeoutMs: options.timeoutMs,
    }),
  );
  if (result.code === 0) return { ok: true };
  const said = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-4).join(' ').slice(0, 500);
  return { ok: false, message: `git push of ${options.branch} failed: ${said || `exit ${result.code}`}` };
}

/** `git rev-parse` of one revision, or undefined. */
export async function revParse(root: string, rev: string): Promise<string | undefined> {
  const result = await git(root, ['rev-parse', '--verify', '--quiet', rev]);
  return result.code === 0 ? result.stdout.trim() : undefined;
}
