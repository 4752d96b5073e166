import type { RepositoryClient } from './app-client.ts';

/** Comments on an issue or pull request (they share numbers); the comment's page. */
export async function comment(client: RepositoryClient, number: number, body: string): Promise<string> {
  const { data } = await client.octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: client.owner,
    repo: client.repo,
    issue_number: number,
    body,
  });
  return data.html_url;
}
