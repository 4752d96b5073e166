/**
 * Webhook payloads that are GitHub's published examples with their identity replaced: the issue,
 * comment, repository, sender and installation of the fake, consistently (ids, urls, node ids). The
 * issue or comment is made in the fake's state too, so REST calls about it agree with the payload.
 */
import type { IssueCommentCreatedEvent, IssuesLabeledEvent } from '@octokit/webhooks-types';
import {
  type CommentRecord,
  type FakeGitHubState,
  type IssueRecord,
  installationFor,
  nextNumber,
  type RepoRecord,
  userNamed,
} from './fake-github-state.ts';
import { nodeId, repositoryJson, userJson, webhookExample } from './github-shapes.ts';
import { renderComment, renderIssue } from './issue-routes.ts';

/** An existing issue or pull request by number, or a new issue. */
export type IssueInput = number | { title: string; body?: string; user?: string };

function repoNamed(state: FakeGitHubState, fullName: string): RepoRecord {
  const repo = state.repos.get(fullName.toLowerCase());
  if (!repo)
    throw new Error(`fake GitHub: no repository ${fullName}; give it in startFakeGitHub({repositories})`);
  return repo;
}

function issueFor(state: FakeGitHubState, repo: RepoRecord, input: IssueInput): IssueRecord {
  if (typeof input === 'number') {
    const found = state.issues.find((i) => i.repo === repo.fullName && i.number === input);
    if (!found) throw new Error(`fake GitHub: ${repo.fullName} has no issue or pull request #${input}`);
    return found;
  }
  const now = state.now();
  const issue: IssueRecord = {
    repo: repo.fullName,
    id: state.nextId('issue'),
    number: nextNumber(state, repo.fullName),
    title: input.title,
    body: input.body ?? null,
    user: userNamed(state, input.user ?? repo.owner.login),
    labels: [],
    state: 'open',
    comments: 0,
    reactions: [],
    createdAt: now,
    updatedAt: now,
    closedAt: null,
  };
  state.issues.push(issue);
  return issue;
}

/** The common part: repository, sender and installation of this fake in place of the example's. */
function identify(
  state: FakeGitHubState,
  example: Record<string, unknown>,
  repo: RepoRecord,
  sender: string,
) {
  const installation = installationFor(state, repo.fullName);
  if (!installation) throw new Error(`fake GitHub: the App is not installed on ${repo.fullName}`);
  delete example.organization;
  example.repository = repositoryJson(state.ctx, repo);
  example.sender = userJson(state.ctx, userNamed(state, sender));
  example.installation = { id: installation.id, node_id: nodeId('IntegrationInstallation', installation.id) };
}

export function issueLabeled(
  state: FakeGitHubState,
  input: { repo: string; issue: IssueInput; label: string; sender?: string },
): IssuesLabeledEvent {
  const repo = repoNamed(state, input.repo);
  const issue = issueFor(state, repo, input.issue);
  let label = issue.labels.find((l) => l.name === input.label);
  if (!label) {
    label = { id: state.nextId('label'), name: input.label, color: 'ededed' };
    issue.labels.push(label);
  }
  const example = webhookExample('issues', 'labeled');
  identify(state, example, repo, input.sender ?? issue.user.login);
  example.issue = renderIssue(state, repo, issue);
  example.label = (example.issue as { labels: unknown[] }).labels.find(
    (l) => (l as { id: number }).id === label.id,
  );
  return example as unknown as IssuesLabeledEvent;
}

export function issueCommentCreated(
  state: FakeGitHubState,
  input: { repo: string; issue: IssueInput; comment: string; sender: string; onPullRequest?: boolean },
): IssueCommentCreatedEvent {
  const repo = repoNamed(state, input.repo);
  const issue = issueFor(state, repo, input.issue);
  if (input.onPullRequest !== undefined && input.onPullRequest !== Boolean(issue.pull))
    throw new Error(
      `fake GitHub: ${repo.fullName}#${issue.number} is ${issue.pull ? 'a pull request' : 'an issue'}`,
    );
  const now = state.now();
  const comment: CommentRecord = {
    repo: repo.fullName,
    id: state.nextId('comment'),
    issueNumber: issue.number,
    body: input.comment,
    user: userNamed(state, input.sender),
    reactions: [],
    createdAt: now,
    updatedAt: now,
    viaApp: null,
  };
  state.comments.push(comment);
  issue.comments += 1;
  const example = webhookExample('issue_comment', 'created', (e) => 'installation' in e);
  identify(state, example, repo, input.sender);
  example.issue = renderIssue(state, repo, issue);
  example.comment = renderComment(state, repo, comment);
  return example as unknown as IssueCommentCreatedEvent;
}
