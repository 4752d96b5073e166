/**
 * What the fake GitHub holds, readable by tests: repositories, the App's installations and tokens,
 * issues and pull requests (sharing numbers per repository, as on GitHub), comments, reactions,
 * check runs, and every request it answered.
 */
import type { CheckRunShape, CommentShape, PullShape } from './activity-shapes.ts';
import type { InstallationToken, Permissions } from './app-auth.ts';
import type { AppShape, IssueShape, ShapeContext, UserShape } from './github-shapes.ts';

export type Role = 'admin' | 'maintain' | 'write' | 'triage' | 'read';

export interface RepoRecord {
  fullName: string;
  owner: UserShape;
  name: string;
  id: number;
  private: boolean;
  defaultBranch: string;
  createdAt: number;
  /** Path of the bare repository. */
  bare: string;
  /** Collaborators by login (the owner is admin without being listed). */
  collaborators: Map<string, Role>;
}

export interface Installation {
  id: number;
  account: UserShape;
  /** Full names of the repositories it is installed on. */
  repositories: string[];
  permissions: Permissions;
}

export interface IssueRecord extends IssueShape {
  repo: string;
}
export interface CommentRecord extends CommentShape {
  repo: string;
}
export interface ReactionRecord {
  id: number;
  repo: string;
  /** An issue or pull request by number, or a comment by id. */
  subject: { issue: number } | { comment: number };
  user: UserShape;
  content: string;
  createdAt: number;
}
export interface PullRecord extends PullShape {
  repo: string;
}
export interface CheckRunRecord extends CheckRunShape {
  repo: string;
}

export interface RecordedRequest {
  method: string;
  /** Path without the `/api/v3` prefix for the REST API; the git path for git. */
  path: string;
  api: 'rest' | 'git';
  auth: 'jwt' | 'installation' | 'none' | 'rejected';
  /** For an installation token: what it may reach. */
  scope?: { installationId: number; repositories: 'all' | string[]; permissions: Permissions };
  status: number;
  /** The request body as text (REST only). */
  body: string;
}

export interface FakeGitHubState {
  ctx: ShapeContext;
  app: AppShape & { bot: UserShape };
  repos: Map<string, RepoRecord>;
  installations: Installation[];
  tokens: Map<string, InstallationToken>;
  users: Map<string, UserShape>;
  issues: IssueRecord[];
  comments: CommentRecord[];
  reactions: ReactionRecord[];
  pulls: PullRecord[];
  checkRuns: CheckRunRecord[];
  requests: RecordedRequest[];
  nextId: (kind: string) => number;
  now: () => number;
}

export function newState(ctx: ShapeContext, app: AppShape, now: () => number): FakeGitHubState {
  const counters = new Map<string, number>();
  // Distinct ranges per kind, so an id names one thing and a test mixing them up fails.
  const bases: Record<string, number> = { user: 5_000_000, repo: 700_000_000, issue: 2_100_000_000 };
  const nextId = (kind: string) => {
    const n = (counters.get(kind) ?? bases[kind] ?? 10_000 * (counters.size + 1)) + 1;
    counters.set(kind, n);
    return n;
  };
  const bot: UserShape = { login: `${app.slug}[bot]`, id: nextId('user'), type: 'Bot' };
  const users = new Map<string, UserShape>([[bot.login, bot]]);
  return {
    ctx,
    app: { ...app, bot },
    repos: new Map(),
    installations: [],
    tokens: new Map(),
    users,
    issues: [],
    comments: [],
    reactions: [],
    pulls: [],
    checkRuns: [],
    requests: [],
    nextId,
    now,
  };
}

/** The user with that login, made on first mention (GitHub has all users; ids stay stable here). */
export function userNamed(
  state: FakeGitHubState,
  login: string,
  type: UserShape['type'] = 'User',
): UserShape {
  let user = state.users.get(login.toLowerCase());
  if (!user) {
    user = { login, id: state.nextId('user'), type };
    state.users.set(login.toLowerCase(), user);
  }
  return user;
}

export function roleOf(repo: RepoRecord, login: string): Role | undefined {
  if (login.toLowerCase() === repo.owner.login.toLowerCase()) return 'admin';
  return repo.collaborators.get(login.toLowerCase());
}

export function associationOf(repo: RepoRecord, user: UserShape): string {
  if (user.login.toLowerCase() === repo.owner.login.toLowerCase()) return 'OWNER';
  return repo.collaborators.has(user.login.toLowerCase()) ? 'COLLABORATOR' : 'NONE';
}

export function installationFor(state: FakeGitHubState, fullName: string): Installation | undefined {
  return state.installations.find((i) => i.repositories.includes(fullName));
}

/** The next issue/pull request number of a repository: they share one sequence, as on GitHub. */
export function nextNumber(state: FakeGitHubState, repo: string): number {
  return state.issues.filter((i) => i.repo === repo).reduce((max, i) => Math.max(max, i.number), 0) + 1;
}
