/**
 * A GitHub on 127.0.0.1 for the GitHub App's tests, laid out like GitHub Enterprise Server: the
 * REST API under `<url>/api/v3` (Octokit's `baseUrl`), git smart HTTP at `<url>/<owner>/<repo>.git`
 * through the real `git http-backend`, one App with a freshly generated RSA key installed on the
 * given repositories (one installation per owner). It checks the App's JWT and installation tokens
 * as GitHub does, answers in the shapes of GitHub's examples, records every request and the state
 * tests read, and delivers signed webhooks.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGitHttpBackend } from '../git-http-server.ts';
import { authenticate, gitBasicToken, type Permissions, permits, publicKeyOf } from './app-auth.ts';
import { appRoutes } from './app-routes.ts';
import { barePath, branchHead, createBareRepository, type RepositorySeed } from './bare-repos.ts';
import {
  type FakeGitHubState,
  newState,
  type RecordedRequest,
  type Role,
  userNamed,
} from './fake-github-state.ts';
import { issueRoutes } from './issue-routes.ts';
import { pullRoutes } from './pull-routes.ts';
import { dispatch, reaches } from './rest-router.ts';
import { type DeliverOptions, type Delivery, deliverWebhook } from './webhook-delivery.ts';
import { type IssueInput, issueCommentCreated, issueLabeled } from './webhook-payloads.ts';

export interface FakeRepositoryOptions {
  /** `owner/repo` */
  fullName: string;
  /** A work tree to copy or files by path; committed as the first commit of the default branch. */
  seed: RepositorySeed;
  defaultBranch?: string;
  /** Default true; a non-collaborator has `read` on a public repository, `none` on a private one. */
  private?: boolean;
  /** Collaborators by login; the owner is admin without being listed. */
  collaborators?: Record<string, Role>;
  /** Default true: the App is installed on it (in the owner's installation). */
  installed?: boolean;
}

export interface FakeGitHubOptions {
  repositories: FakeRepositoryOptions[];
  app?: { id?: number; slug?: string; name?: string; webhookSecret?: string };
  /** What each installation grants; default contents, issues, pull_requests, checks write and metadata read. */
  installationPermissions?: Permissions;
}

export interface FakeGitHubApp {
  id: number;
  slug: string;
  privateKeyPem: string;
  webhookSecret: string;
}

export interface FakeGitHub {
  /** `http://127.0.0.1:<port>`: web and git */
  url: string;
  /** `<url>/api/v3`: Octokit's baseUrl */
  apiUrl: string;
  app: FakeGitHubApp;
  /** Installation id by owner login. */
  installations: Record<string, number>;
  /** Authenticated clone URL is `gitUrl(repo)` with `x-access-token:<token>@` added by the caller. */
  gitUrl(fullName: string): string;
  barePath(fullName: string): string;
  branchHead(fullName: string, branch: string): string | undefined;
  requests: RecordedRequest[];
  issues: FakeGitHubState['issues'];
  comments: FakeGitHubState['comments'];
  reactions: FakeGitHubState['reactions'];
  checkRuns: FakeGitHubState['checkRuns'];
  pulls: FakeGitHubState['pulls'];
  /** GitHub's `issues.labeled` example for this fake's repository, issue (made if new), label and sender. */
  issueLabeled: (input: {
    repo: string;
    issue: IssueInput;
    label: string;
    sender?: string;
  }) => ReturnType<typeof issueLabeled>;
  /** GitHub's `issue_comment.created` example, the comment made in state as written by `sender`. */
  issueCommentCreated: (input: {
    repo: string;
    issue: IssueInput;
    comment: string;
    sender: string;
    onPullRequest?: boolean;
  }) => ReturnType<typeof issueCommentCreated>;
  /** POSTs a webhook to `target` as GitHub does; `deliveries` keeps each for replay. */
  deliver(target: string, event: string, payload: unknown, options?: DeliverOptions): Promise<Delivery>;
  deliveries: Delivery[];
  close(): Promise<void>;
}

const defaultPermissions: Permissions = {
  contents: 'write',
  issues: 'write',
  pull_requests: 'write',
  checks: 'write',
  metadata: 'read',
};

const routes = [...appRoutes, ...issueRoutes, ...pullRoutes];

export async function startFakeGitHub(options: FakeGitHubOptions): Promise<FakeGitHub> {
  const root = mkdtempSync(join(tmpdir(), 'fake-github-'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const publicKey = publicKeyOf(privateKeyPem);
  const appId = options.app?.id ?? 1000 + (randomBytes(2).readUInt16BE() % 9000);
  const slug = options.app?.slug ?? 'warden-test';
  const webhookSecret = options.app?.webhookSecret ?? randomBytes(20).toString('hex');
  const permissions = options.installationPermissions ?? defaultPermissions;
  const ctx = { web: '', api: '' };
  const state = newState(
    ctx,
    {
      id: appId,
      slug,
      name: options.app?.name ?? slug,
      owner: { login: 'warden-org', id: 4_900_001, type: 'Organization' },
      permissions,
      events: ['issues', 'issue_comment', 'pull_request', 'check_run'],
      createdAt: Date.now(),
    },
    Date.now,
  );

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/v3/')) return serveRest(req, res, url);
    if (/^\/[^/]+\/[^/]+\.git\//.test(url.pathname)) return serveGit(req, res, url);
    req.resume();
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not Found\n');
  });

  function serveRest(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = url.pathname.slice('/api/v3'.length);
      const method = req.method ?? 'GET';
      const auth = authenticate(
        req.headers.authorization,
        { id: appId, publicKey },
        state.tokens,
        state.now(),
      );
      const reply = dispatch(routes, state, method, path, url.searchParams, body, auth);
      state.requests.push({
        method,
        path: path + url.search,
        api: 'rest',
        auth: auth.kind,
        ...(auth.kind === 'installation'
          ? {
              scope: {
                installationId: auth.token.installationId,
                repositories: auth.token.repositories,
                permissions: auth.token.permissions,
              },
            }
          : {}),
        status: reply.status,
        body,
      });
      res.writeHead(reply.status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-media-type': 'github.v3',
      });
      res.end(reply.json === undefined ? '' : JSON.stringify(reply.json));
    });
  }

  function serveGit(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const fullName = /^\/([^/]+\/[^/]+)\.git\//.exec(url.pathname)?.[1] ?? '';
    const repo = state.repos.get(fullName.toLowerCase());
    const tokenText = gitBasicToken(req.headers.authorization);
    const token = tokenText ? state.tokens.get(tokenText) : undefined;
    const live = token && token.expiresAt > state.now() ? token : undefined;
    const pushing =
      url.searchParams.get('service') === 'git-receive-pack' || url.pathname.endsWith('/git-receive-pack');
    const refuse = (status: number, message: string, headers: Record<string, string> = {}) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(`${message}\n`);
    };
    const record = (status: number) =>
      state.requests.push({
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        api: 'git',
        auth: live ? 'installation' : tokenText ? 'rejected' : 'none',
        ...(live
          ? {
              scope: {
                installationId: live.installationId,
                repositories: live.repositories,
                permissions: live.permissions,
              },
            }
          : {}),
        status,
        body: '',
      });
    if (!live) {
      record(401);
      refuse(401, 'Invalid username or token. Password authentication is not supported for Git operations.', {
        'www-authenticate': 'Basic realm="GitHub"',
      });
      return;
    }
    if (!repo || !reaches(state, live, repo.fullName)) {
      record(404);
      refuse(404, 'Repository not found.');
      return;
    }
    if (!permits(live.permissions, 'contents', pushing ? 'write' : 'read')) {
      record(403);
      refuse(403, 'Write access to repository not granted.');
      return;
    }
    record(200);
    // http-backend serves paths under GIT_PROJECT_ROOT, so the canonical name keeps case-only variants working.
    const canonical = new URL(url.toString());
    canonical.pathname = url.pathname.replace(/^\/[^/]+\/[^/]+\.git/, `/${repo.fullName}.git`);
    req.url = canonical.pathname + canonical.search;
    runGitHttpBackend(req, res, { projectRoot: root, remoteUser: state.app.bot.login });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  ctx.web = `http://127.0.0.1:${port}`;
  ctx.api = `${ctx.web}/api/v3`;

  const installations: Record<string, number> = {};
  for (const r of options.repositories) {
    const [ownerLogin, name] = r.fullName.split('/');
    if (!ownerLogin || !name || r.fullName.split('/').length !== 2)
      throw new Error(`fake GitHub: repository "${r.fullName}" must be owner/name`);
    const owner = userNamed(state, ownerLogin);
    const defaultBranch = r.defaultBranch ?? 'main';
    createBareRepository(root, r.fullName, r.seed, defaultBranch);
    state.repos.set(r.fullName.toLowerCase(), {
      fullName: r.fullName,
      owner,
      name,
      id: state.nextId('repo'),
      private: r.private ?? true,
      defaultBranch,
      createdAt: state.now(),
      bare: barePath(root, r.fullName),
      collaborators: new Map(
        Object.entries(r.collaborators ?? {}).map(([login, role]) => [login.toLowerCase(), role]),
      ),
    });
    if (r.installed === false) continue;
    let installation = state.installations.find((i) => i.account === owner);
    if (!installation) {
      installation = { id: state.nextId('installation'), account: owner, repositories: [], permissions };
      state.installations.push(installation);
      installations[owner.login] = installation.id;
    }
    installation.repositories.push(r.fullName);
  }

  const hookId = state.nextId('hook');
  const deliveries: Delivery[] = [];
  const repoPath = (fullName: string) => {
    const repo = state.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`fake GitHub: no repository ${fullName}`);
    return repo.bare;
  };
  return {
    url: ctx.web,
    apiUrl: ctx.api,
    app: { id: appId, slug, privateKeyPem, webhookSecret },
    installations,
    gitUrl: (fullName) => `${ctx.web}/${fullName}.git`,
    barePath: repoPath,
    branchHead: (fullName, branch) => branchHead(repoPath(fullName), branch),
    requests: state.requests,
    issues: state.issues,
    comments: state.comments,
    reactions: state.reactions,
    checkRuns: state.checkRuns,
    pulls: state.pulls,
    issueLabeled: (input) => issueLabeled(state, input),
    issueCommentCreated: (input) => issueCommentCreated(state, input),
    deliver: async (target, event, payload, deliverOptions) => {
      const delivery = await deliverWebhook(
        target,
        event,
        payload,
        { id: hookId, appId, secret: webhookSecret },
        deliverOptions,
      );
      deliveries.push(delivery);
      return delivery;
    },
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(root, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
