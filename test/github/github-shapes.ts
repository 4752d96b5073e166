/**
 * The JSON GitHub answers with, built from GitHub's own published webhook examples
 * (`@octokit/webhooks-examples`, api.github.com set): each object starts as a copy of the example's
 * and has its identity (ids, node ids, names, urls) replaced, so every field a real client reads is
 * there with the real type. URLs are those of a GitHub Enterprise Server at the fake's address:
 * `<url>/api/v3/...` for the API, `<url>/<owner>/<repo>` for the web and git.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type Json = Record<string, unknown>;
type Definition = { name: string; examples: Json[] };
const definitions = require('@octokit/webhooks-examples') as Definition[];

/** The first published example of `event` with `action` (and the optional test), deep-copied. */
export function webhookExample(
  event: string,
  action: string,
  test: (example: Json) => boolean = () => true,
): Json {
  const found = definitions
    .find((d) => d.name === event)
    ?.examples.find((e) => e.action === action && test(e));
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${event}.${action} example`);
  return structuredClone(found);
}

const commentExample = webhookExample('issue_comment', 'created', (e) => 'installation' in e);
const labeledExample = webhookExample('issues', 'labeled');
const pullExample = webhookExample('pull_request', 'opened');
const checkRunExample = webhookExample('check_run', 'created');
const templates = {
  user: commentExample.sender as Json,
  repository: commentExample.repository as Json,
  issue: labeledExample.issue as Json,
  label: labeledExample.label as Json,
  comment: commentExample.comment as Json,
  pull: pullExample.pull_request as Json,
  checkRun: checkRunExample.check_run as Json,
  app: (checkRunExample.check_run as Json).app as Json,
};
export const exampleKeys = Object.fromEntries(
  Object.entries(templates).map(([k, v]) => [k, Object.keys(v)]),
) as Record<keyof typeof templates, string[]>;

/** GitHub's legacy global node id: base64 of `0<length of type>:<Type><id>`. */
export function nodeId(type: string, id: number): string {
  return Buffer.from(`0${type.length}:${type}${id}`).toString('base64');
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Replaces every example URL prefix in every string of a copied template. */
function rebase<T>(value: T, pairs: [string, string][]): T {
  if (typeof value === 'string') {
    let s: string = value;
    for (const [from, to] of pairs) s = s.split(from).join(to);
    return s as T;
  }
  if (Array.isArray(value)) return value.map((v) => rebase(v, pairs)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rebase(v, pairs)])) as T;
  return value;
}

export interface ShapeContext {
  /** `http://127.0.0.1:<port>` */
  web: string;
  /** `<web>/api/v3` */
  api: string;
}

export interface UserShape {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
}

export function userJson(ctx: ShapeContext, user: UserShape): Json {
  const base = rebase(structuredClone(templates.user), [
    ['https://api.github.com/users/Codertocat', `${ctx.api}/users/${user.login}`],
    ['https://github.com/Codertocat', `${ctx.web}/${user.login}`],
    ['https://avatars1.githubusercontent.com/u/21031067?v=4', `${ctx.web}/avatars/u/${user.id}?v=4`],
  ]);
  return { ...base, login: user.login, id: user.id, node_id: nodeId(user.type, user.id), type: user.type };
}

function repoPairs(ctx: ShapeContext, fullName: string): [string, string][] {
  const host = new URL(ctx.web).host;
  return [
    ['https://api.github.com/repos/Codertocat/Hello-World', `${ctx.api}/repos/${fullName}`],
    ['https://github.com/Codertocat/Hello-World', `${ctx.web}/${fullName}`],
    ['git://github.com/Codertocat/Hello-World.git', `git://${host}/${fullName}.git`],
    ['git@github.com:Codertocat/Hello-World.git', `git@${host}:${fullName}.git`],
    ['https://api.github.com', ctx.api],
    ['https://github.com', ctx.web],
  ];
}

export interface RepositoryShape {
  id: number;
  owner: UserShape;
  name: string;
  private: boolean;
  defaultBranch: string;
  createdAt: number;
}

export function repositoryJson(ctx: ShapeContext, repo: RepositoryShape, permissions?: Json): Json {
  const fullName = `${repo.owner.login}/${repo.name}`;
  const base = rebase(structuredClone(templates.repository), repoPairs(ctx, fullName));
  return {
    ...base,
    id: repo.id,
    node_id: nodeId('Repository', repo.id),
    name: repo.name,
    full_name: fullName,
    private: repo.private,
    visibility: repo.private ? 'private' : 'public',
    owner: userJson(ctx, repo.owner),
    description: null,
    homepage: null,
    language: null,
    license: null,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    forks_count: 0,
    forks: 0,
    default_branch: repo.defaultBranch,
    created_at: isoTime(repo.createdAt),
    updated_at: isoTime(repo.createdAt),
    pushed_at: isoTime(repo.createdAt),
    ...(permissions ? { permissions } : {}),
  };
}

export const reactionContents = [
  '+1',
  '-1',
  'laugh',
  'confused',
  'heart',
  'hooray',
  'rocket',
  'eyes',
] as const;
export type ReactionContent = (typeof reactionContents)[number];

export function reactionsSummary(url: string, contents: readonly string[]): Json {
  const counts = Object.fromEntries(reactionContents.map((c) => [c, contents.filter((x) => x === c).length]));
  return { url, total_count: contents.length, ...counts };
}

export interface IssueShape {
  id: number;
  number: number;
  title: string;
  body: string | null;
  user: UserShape;
  labels: { id: number; name: string; color: string }[];
  state: 'open' | 'closed';
  comments: number;
  reactions: string[];
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  /** Set when this number is a pull request's. */
  pull?: { mergedAt: number | null };
}

export function labelJson(ctx: ShapeContext, fullName: string, label: IssueShape['labels'][number]): Json {
  return {
    ...templates.label,
    id: label.id,
    node_id: nodeId('Label', label.id),
    url: `${ctx.api}/repos/${fullName}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: null,
  };
}

export function issueJson(ctx: ShapeContext, fullName: string, issue: IssueShape, association: string): Json {
  const api = `${ctx.api}/repos/${fullName}/issues/${issue.number}`;
  const base = rebase(structuredClone(templates.issue), repoPairs(ctx, fullName));
  return {
    ...base,
    url: api,
    repository_url: `${ctx.api}/repos/${fullName}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: `${ctx.web}/${fullName}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`,
    id: issue.id,
    node_id: nodeId(issue.pull ? 'PullRequest' : 'Issue', issue.id),
    number: issue.number,
    title: issue.title,
    body: issue.body,
    user: userJson(ctx, issue.user),
    labels: issue.labels.map((l) => labelJson(ctx, fullName, l)),
    state: issue.state,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: issue.comments,
    created_at: isoTime(issue.createdAt),
    updated_at: isoTime(issue.updatedAt),
    closed_at: issue.closedAt === null ? null : isoTime(issue.closedAt),
    author_association: association,
    active_lock_reason: null,
    reactions: reactionsSummary(`${api}/reactions`, issue.reactions),
    draft: false,
    ...(issue.pull
      ? {
          pull_request: {
            url: `${ctx.api}/repos/${fullName}/pulls/${issue.number}`,
            html_url: `${ctx.web}/${fullName}/pull/${issue.number}`,
            diff_url: `${ctx.web}/${fullName}/pull/${issue.number}.diff`,
            patch_url: `${ctx.web}/${fullName}/pull/${issue.number}.patch`,
            merged_at: issue.pull.mergedAt === null ? null : isoTime(issue.pull.mergedAt),
          },
        }
      : {}),
  };
}

export interface AppShape {
  id: number;
  slug: string;
  name: string;
  owner: UserShape;
  permissions: Record<string, string>;
  events: string[];
  createdAt: number;
}

export function appJson(ctx: ShapeContext, app: AppShape): Json {
  return {
    ...templates.app,
    id: app.id,
    slug: app.slug,
    node_id: nodeId('Integration', app.id),
    client_id: `Iv1.${app.id.toString(16).padStart(16, '0')}`,
    owner: userJson(ctx, app.owner),
    name: app.name,
    description: '',
    external_url: `${ctx.web}/apps/${app.slug}`,
    html_url: `${ctx.web}/apps/${app.slug}`,
    created_at: isoTime(app.createdAt),
    updated_at: isoTime(app.createdAt),
    permissions: app.permissions,
    events: app.events,
  };
}

export { templates as shapeTemplates };
