/** A repository on a GitHub-like host, as a remote URL names it. */
export interface GitHubRepository {
  owner: string;
  repo: string;
  /** The remote's URL, parsed (no credential in it: those were moved out). */
  url: URL;
}

// GitHub's own rules: owners are letters, digits and inner hyphens; repository names add `.` and `_`.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,98}[A-Za-z0-9])?$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * `https://github.com/owner/repo(.git)` → owner and repo; a reason otherwise. Only http(s) URLs of
 * exactly two path segments: an ssh remote, a path, or a nested group (GitLab) is not a
 * repository the broker opens pull requests on.
 */
export function repositoryOf(remote: string): GitHubRepository | { problem: string } {
  let url: URL;
  try {
    url = new URL(remote);
  } catch {
    return {
      problem: `${remote} is not an http(s) URL (an ssh remote or a path): the broker opens pull requests over https`,
    };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return {
      problem: `${remote} is a ${url.protocol.replace(/:$/, '')} remote: the broker opens pull requests over https`,
    };
  if (url.search || url.hash)
    return { problem: `${remote} has a query or fragment; it does not name a repository` };
  const segments = url.pathname.replace(/\/+$/, '').split('/').slice(1);
  const [owner = '', name = ''] = segments;
  const repo = name.replace(/\.git$/, '');
  if (segments.length !== 2 || !OWNER.test(owner) || !REPO.test(repo) || repo === '.' || repo === '..')
    return { problem: `${remote} does not name a repository as OWNER/REPO on a GitHub-like host` };
  return { owner, repo, url };
}

/**
 * Where the REST API of a repository's host is: `https://api.github.com` for github.com, the
 * host's `/api/v3` for GitHub Enterprise, or what the user configured for the credential
 * (`api_url:`). A derived URL keeps the remote's scheme, which the credential store allows only as
 * https or, on this machine, http.
 */
export function apiBaseUrl(remote: URL, configured?: string): string {
  if (configured !== undefined) return configured.replace(/\/+$/, '');
  const host = remote.hostname.toLowerCase();
  if (host === 'github.com' || host === 'www.github.com') return 'https://api.github.com';
  return `${remote.protocol}//${remote.host}/api/v3`;
}
