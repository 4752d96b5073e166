/**
 * The JSON of comments, reactions, pull requests and check runs, from GitHub's published examples
 * like the rest of github-shapes.ts.
 */
import {
  isoTime,
  nodeId,
  reactionsSummary,
  type ShapeContext,
  shapeTemplates,
  type UserShape,
  userJson,
} from './github-shapes.ts';

type Json = Record<string, unknown>;

export interface CommentShape {
  id: number;
  issueNumber: number;
  body: string;
  user: UserShape;
  reactions: string[];
  createdAt: number;
  updatedAt: number;
  /** The App's json when an installation token wrote it. */
  viaApp: Json | null;
}

export function commentJson(ctx: ShapeContext, fullName: string, c: CommentShape, association: string): Json {
  const url = `${ctx.api}/repos/${fullName}/issues/comments/${c.id}`;
  return {
    ...shapeTemplates.comment,
    url,
    html_url: `${ctx.web}/${fullName}/issues/${c.issueNumber}#issuecomment-${c.id}`,
    issue_url: `${ctx.api}/repos/${fullName}/issues/${c.issueNumber}`,
    id: c.id,
    node_id: nodeId('IssueComment', c.id),
    user: userJson(ctx, c.user),
    created_at: isoTime(c.createdAt),
    updated_at: isoTime(c.updatedAt),
    author_association: association,
    performed_via_github_app: c.viaApp,
    body: c.body,
    reactions: reactionsSummary(`${url}/reactions`, c.reactions),
  };
}

export function reactionJson(
  ctx: ShapeContext,
  r: { id: number; user: UserShape; content: string; createdAt: number },
): Json {
  return {
    id: r.id,
    node_id: nodeId('Reaction', r.id),
    user: userJson(ctx, r.user),
    content: r.content,
    created_at: isoTime(r.createdAt),
  };
}

export interface BranchShape {
  ref: string;
  sha: string;
  repo: Json;
  owner: UserShape;
}

export interface PullShape {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: UserShape;
  state: 'open' | 'closed';
  draft: boolean;
  head: BranchShape;
  base: BranchShape;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  maintainerCanModify: boolean;
}

function branchJson(ctx: ShapeContext, b: BranchShape): Json {
  return {
    label: `${b.owner.login}:${b.ref}`,
    ref: b.ref,
    sha: b.sha,
    user: userJson(ctx, b.owner),
    repo: b.repo,
  };
}

export function pullJson(ctx: ShapeContext, fullName: string, p: PullShape, association: string): Json {
  const api = `${ctx.api}/repos/${fullName}`;
  const self = `${api}/pulls/${p.number}`;
  const html = `${ctx.web}/${fullName}/pull/${p.number}`;
  return {
    ...shapeTemplates.pull,
    url: self,
    id: p.id,
    node_id: nodeId('PullRequest', p.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: `${api}/issues/${p.number}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    user: userJson(ctx, p.user),
    body: p.body,
    created_at: isoTime(p.createdAt),
    updated_at: isoTime(p.updatedAt),
    closed_at: p.closedAt === null ? null : isoTime(p.closedAt),
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: [],
    milestone: null,
    commits_url: `${self}/commits`,
    review_comments_url: `${self}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${api}/issues/${p.number}/comments`,
    statuses_url: `${api}/statuses/${p.head.sha}`,
    head: branchJson(ctx, p.head),
    base: branchJson(ctx, p.base),
    _links: {
      self: { href: self },
      html: { href: html },
      issue: { href: `${api}/issues/${p.number}` },
      comments: { href: `${api}/issues/${p.number}/comments` },
      review_comments: { href: `${self}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${self}/commits` },
      statuses: { href: `${api}/statuses/${p.head.sha}` },
    },
    author_association: association,
    auto_merge: null,
    active_lock_reason: null,
    draft: p.draft,
    merged: false,
    mergeable: null,
    rebaseable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    comments: 0,
    review_comments: 0,
    maintainer_can_modify: p.maintainerCanModify,
    commits: 1,
    additions: 0,
    deletions: 0,
    changed_files: 0,
  };
}

export interface CheckRunShape {
  id: number;
  name: string;
  headSha: string;
  externalId: string;
  detailsUrl: string | null;
  status: string;
  conclusion: string | null;
  startedAt: number;
  completedAt: number | null;
  output: { title: string | null; summary: string | null; text: string | null };
}

export function checkRunJson(ctx: ShapeContext, fullName: string, r: CheckRunShape, app: Json): Json {
  const url = `${ctx.api}/repos/${fullName}/check-runs/${r.id}`;
  return {
    id: r.id,
    node_id: nodeId('CheckRun', r.id),
    head_sha: r.headSha,
    external_id: r.externalId,
    url,
    html_url: `${ctx.web}/${fullName}/runs/${r.id}`,
    details_url: r.detailsUrl ?? `${ctx.web}/${fullName}/runs/${r.id}`,
    status: r.status,
    conclusion: r.conclusion,
    started_at: isoTime(r.startedAt),
    completed_at: r.completedAt === null ? null : isoTime(r.completedAt),
    output: { ...r.output, annotations_count: 0, annotations_url: `${url}/annotations` },
    name: r.name,
    check_suite: { id: r.id },
    app,
    pull_requests: [],
  };
}
