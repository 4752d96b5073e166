/**
 * Repository, collaborator, issue, comment, reaction and ref routes, reached with an installation
 * token. Writes are made as the App's bot user (`<slug>[bot]`), as GitHub does.
 */
import { commentJson, reactionJson } from './activity-shapes.ts';
import { permits } from './app-auth.ts';
import { branchHead } from './bare-repos.ts';
import {
  associationOf,
  type CommentRecord,
  type FakeGitHubState,
  type IssueRecord,
  type RepoRecord,
  roleOf,
  userNamed,
} from './fake-github-state.ts';
import { appJson, issueJson, reactionContents, repositoryJson, userJson } from './github-shapes.ts';
import {
  notFound,
  type Route,
  type RouteCall,
  requirePermission,
  stringField,
  validationFailed,
} from './rest-router.ts';

const COMMENT_MAX = 65536;

export function findIssue(state: FakeGitHubState, repo: RepoRecord, number: string | undefined): IssueRecord {
  const issue = state.issues.find((i) => i.repo === repo.fullName && String(i.number) === number);
  if (!issue) throw notFound();
  return issue;
}

function findComment(state: FakeGitHubState, repo: RepoRecord, id: string | undefined): CommentRecord {
  const comment = state.comments.find((c) => c.repo === repo.fullName && String(c.id) === id);
  if (!comment) throw notFound();
  return comment;
}

/** Issue routes take the issues permission, or pull_requests when the number is a pull request's. */
function requireIssueAccess(call: RouteCall, issue: IssueRecord, level: 'read' | 'write'): void {
  requirePermission(call, issue.pull ? ['issues', 'pull_requests'] : ['issues'], level);
}

export function renderIssue(state: FakeGitHubState, repo: RepoRecord, issue: IssueRecord) {
  return issueJson(state.ctx, repo.fullName, issue, associationOf(repo, issue.user));
}

export function renderComment(state: FakeGitHubState, repo: RepoRecord, c: CommentRecord) {
  const reactions = state.reactions.filter(
    (r) => r.repo === repo.fullName && 'comment' in r.subject && r.subject.comment === c.id,
  );
  return commentJson(
    state.ctx,
    repo.fullName,
    { ...c, reactions: reactions.map((r) => r.content) },
    associationOf(repo, c.user),
  );
}

const roleToPermission = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
} as const;

function react(call: RouteCall, subject: { issue: number } | { comment: number }) {
  const content = call.body.content;
  if (typeof content !== 'string' || !(reactionContents as readonly string[]).includes(content))
    throw validationFailed([{ resource: 'Reaction', code: 'invalid', field: 'content' }]);
  const { state, repo } = call;
  const user = state.app.bot;
  const same = state.reactions.find(
    (r) =>
      r.repo === repo.fullName &&
      JSON.stringify(r.subject) === JSON.stringify(subject) &&
      r.user === user &&
      r.content === content,
  );
  if (same) return { status: 200, json: reactionJson(state.ctx, same) };
  const reaction = {
    id: state.nextId('reaction'),
    repo: repo.fullName,
    subject,
    user,
    content,
    createdAt: state.now(),
  };
  state.reactions.push(reaction);
  if ('issue' in subject) findIssue(state, repo, String(subject.issue)).reactions.push(content);
  return { status: 201, json: reactionJson(state.ctx, reaction) };
}

export const issueRoutes: Route[] = [
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}',
    auth: 'installation',
    handle: ({ state, repo, token }) => ({
      status: 200,
      json: repositoryJson(state.ctx, repo, {
        admin: false,
        maintain: false,
        push: permits(token.permissions, 'contents', 'write'),
        triage: false,
        pull: true,
      }),
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/collaborators/{username}/permission',
    auth: 'installation',
    handle: ({ state, repo, params }) => {
      const user = userNamed(state, params.username ?? '');
      const role = roleOf(repo, user.login);
      // Not a collaborator: nothing on a private repository; read, as for everyone, on a public one.
      const permission = role ? roleToPermission[role] : repo.private ? 'none' : 'read';
      const roleName = role ?? permission;
      const flags = {
        admin: permission === 'admin',
        maintain: role === 'admin' || role === 'maintain',
        push: permission === 'admin' || permission === 'write',
        triage: permission !== 'none' && role !== 'read',
        pull: permission !== 'none',
      };
      return {
        status: 200,
        json: {
          permission,
          role_name: roleName,
          user: { ...userJson(state.ctx, user), permissions: flags, role_name: roleName },
        },
      };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}',
    auth: 'installation',
    handle: (call) => {
      const issue = findIssue(call.state, call.repo, call.params.issue_number);
      requireIssueAccess(call, issue, 'read');
      return { status: 200, json: renderIssue(call.state, call.repo, issue) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    auth: 'installation',
    handle: (call) => {
      const issue = findIssue(call.state, call.repo, call.params.issue_number);
      requireIssueAccess(call, issue, 'read');
      const comments = call.state.comments.filter(
        (c) => c.repo === call.repo.fullName && c.issueNumber === issue.number,
      );
      return { status: 200, json: comments.map((c) => renderComment(call.state, call.repo, c)) };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
    auth: 'installation',
    handle: (call) => {
      const { state, repo } = call;
      const issue = findIssue(state, repo, call.params.issue_number);
      requireIssueAccess(call, issue, 'write');
      const body = stringField(call.body, 'IssueComment', 'body', { required: true, max: COMMENT_MAX }) ?? '';
      const comment: CommentRecord = {
        repo: repo.fullName,
        id: state.nextId('comment'),
        issueNumber: issue.number,
        body,
        user: state.app.bot,
        reactions: [],
        createdAt: state.now(),
        updatedAt: state.now(),
        viaApp: appJson(state.ctx, state.app),
      };
      state.comments.push(comment);
      issue.comments += 1;
      return { status: 201, json: renderComment(state, repo, comment) };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}',
    auth: 'installation',
    handle: (call) => {
      const { state, repo } = call;
      const comment = findComment(state, repo, call.params.comment_id);
      requireIssueAccess(call, findIssue(state, repo, String(comment.issueNumber)), 'write');
      comment.body =
        stringField(call.body, 'IssueComment', 'body', { required: true, max: COMMENT_MAX }) ?? '';
      comment.updatedAt = state.now();
      return { status: 200, json: renderComment(state, repo, comment) };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/{issue_number}/reactions',
    auth: 'installation',
    handle: (call) => {
      const issue = findIssue(call.state, call.repo, call.params.issue_number);
      requireIssueAccess(call, issue, 'write');
      return react(call, { issue: issue.number });
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions',
    auth: 'installation',
    handle: (call) => {
      const comment = findComment(call.state, call.repo, call.params.comment_id);
      requireIssueAccess(call, findIssue(call.state, call.repo, String(comment.issueNumber)), 'write');
      return react(call, { comment: comment.id });
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/git/ref/{ref*}',
    auth: 'installation',
    needs: { names: ['contents'], level: 'read' },
    handle: ({ state, repo, params }) => {
      const branch = /^heads\/(.+)$/.exec(params.ref ?? '')?.[1];
      const sha = branch ? branchHead(repo.bare, branch) : undefined;
      if (!sha) throw notFound();
      const api = `${state.ctx.api}/repos/${repo.fullName}`;
      const ref = `refs/heads/${branch}`;
      return {
        status: 200,
        json: {
          ref,
          node_id: Buffer.from(`03:Ref${repo.id}:${ref}`).toString('base64'),
          url: `${api}/git/${ref}`,
          object: { sha, type: 'commit', url: `${api}/git/commits/${sha}` },
        },
      };
    },
  },
];
