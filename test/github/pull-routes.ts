/**
 * Pull request and check run routes. A pull request is checked against the bare repository as
 * GitHub checks it: head and base must be branches, head must have commits base lacks, and a head
 * has at most one open pull request. It takes an issue number from the same sequence as issues.
 */
import { type CheckRunShape, checkRunJson, pullJson } from './activity-shapes.ts';
import { branchHead, commitsAhead, resolveCommit } from './bare-repos.ts';
import {
  associationOf,
  type FakeGitHubState,
  nextNumber,
  type PullRecord,
  type RepoRecord,
} from './fake-github-state.ts';
import { appJson, repositoryJson } from './github-shapes.ts';
import { findIssue } from './issue-routes.ts';
import { HttpError, notFound, type Route, stringField, validationFailed } from './rest-router.ts';

const PULL_BODY_MAX = 65536;
const CHECK_TEXT_MAX = 65535;
const CHECK_STATUSES = ['queued', 'in_progress', 'completed', 'waiting', 'requested', 'pending'];
const CHECK_CONCLUSIONS = [
  'action_required',
  'cancelled',
  'failure',
  'neutral',
  'success',
  'skipped',
  'stale',
  'timed_out',
];

export function renderPull(state: FakeGitHubState, repo: RepoRecord, pull: PullRecord) {
  // The head moves with pushes; GitHub shows the branch's current commit.
  const headSha = branchHead(repo.bare, pull.head.ref) ?? pull.head.sha;
  const shown = { ...pull, head: { ...pull.head, sha: headSha } };
  return pullJson(state.ctx, repo.fullName, shown, associationOf(repo, pull.user));
}

function findPull(state: FakeGitHubState, repo: RepoRecord, number: string | undefined): PullRecord {
  const pull = state.pulls.find((p) => p.repo === repo.fullName && String(p.number) === number);
  if (!pull) throw notFound();
  return pull;
}

/** `owner:branch` or `branch`; only same-repository heads exist here. */
function headBranch(repo: RepoRecord, head: string): string | undefined {
  const colon = head.indexOf(':');
  if (colon < 0) return head;
  return head.slice(0, colon).toLowerCase() === repo.owner.login.toLowerCase()
    ? head.slice(colon + 1)
    : undefined;
}

function checkOutput(body: Record<string, unknown>): CheckRunShape['output'] | undefined {
  const output = body.output;
  if (output === undefined) return undefined;
  if (!output || typeof output !== 'object' || Array.isArray(output))
    throw new HttpError(422, { message: "Invalid request.\n\nFor 'output', it is not an object." });
  const o = output as Record<string, unknown>;
  for (const field of ['title', 'summary'])
    if (typeof o[field] !== 'string')
      throw new HttpError(422, { message: `Invalid request.\n\n"${field}" wasn't supplied.` });
  for (const field of ['summary', 'text']) {
    const value = o[field];
    if (typeof value === 'string' && value.length > CHECK_TEXT_MAX)
      throw new HttpError(422, {
        message: `Invalid request.\n\nOnly ${CHECK_TEXT_MAX} characters are allowed; ${value.length} were supplied.`,
      });
  }
  return {
    title: String(o.title),
    summary: String(o.summary),
    text: typeof o.text === 'string' ? o.text : null,
  };
}

function checkStatus(
  body: Record<string, unknown>,
  current?: CheckRunShape,
): Pick<CheckRunShape, 'status' | 'conclusion'> {
  const status = body.status ?? (body.conclusion !== undefined ? 'completed' : (current?.status ?? 'queued'));
  if (typeof status !== 'string' || !CHECK_STATUSES.includes(status))
    throw validationFailed([{ resource: 'CheckRun', code: 'invalid', field: 'status' }]);
  const conclusion = body.conclusion ?? (status === 'completed' ? current?.conclusion : null) ?? null;
  if (conclusion !== null && (typeof conclusion !== 'string' || !CHECK_CONCLUSIONS.includes(conclusion)))
    throw validationFailed([{ resource: 'CheckRun', code: 'invalid', field: 'conclusion' }]);
  if (status === 'completed' && conclusion === null)
    throw new HttpError(422, { message: 'Invalid request.\n\n"conclusion" wasn\'t supplied.' });
  return { status, conclusion: conclusion as string | null };
}

export const pullRoutes: Route[] = [
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/pulls',
    auth: 'installation',
    needs: { names: ['pull_requests'], level: 'write' },
    handle: ({ state, repo, body }) => {
      const title = stringField(body, 'PullRequest', 'title', { required: body.issue === undefined });
      const head = stringField(body, 'PullRequest', 'head', { required: true }) ?? '';
      const base = stringField(body, 'PullRequest', 'base', { required: true }) ?? '';
      const text = stringField(body, 'PullRequest', 'body', { max: PULL_BODY_MAX });
      const branch = headBranch(repo, head);
      const headSha = branch ? branchHead(repo.bare, branch) : undefined;
      const baseSha = branchHead(repo.bare, base);
      const invalid: Record<string, unknown>[] = [];
      if (!headSha) invalid.push({ resource: 'PullRequest', field: 'head', code: 'invalid' });
      if (!baseSha) invalid.push({ resource: 'PullRequest', field: 'base', code: 'invalid' });
      if (invalid.length || !branch || !headSha || !baseSha) throw validationFailed(invalid);
      if (state.pulls.some((p) => p.repo === repo.fullName && p.state === 'open' && p.head.ref === branch))
        throw validationFailed([
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${repo.owner.login}:${branch}.`,
          },
        ]);
      if (commitsAhead(repo.bare, baseSha, headSha) === 0)
        throw validationFailed([
          { resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${branch}` },
        ]);
      const now = state.now();
      const number = nextNumber(state, repo.fullName);
      const id = state.nextId('pull');
      const repoJson = repositoryJson(state.ctx, repo);
      const pull: PullRecord = {
        repo: repo.fullName,
        id,
        number,
        title: title ?? '',
        body: text ?? null,
        user: state.app.bot,
        state: 'open',
        draft: body.draft === true,
        head: { ref: branch, sha: headSha, repo: repoJson, owner: repo.owner },
        base: { ref: base, sha: baseSha, repo: repoJson, owner: repo.owner },
        createdAt: now,
        updatedAt: now,
        closedAt: null,
        maintainerCanModify: false,
      };
      state.pulls.push(pull);
      state.issues.push({
        repo: repo.fullName,
        id: state.nextId('issue'),
        number,
        title: pull.title,
        body: pull.body,
        user: pull.user,
        labels: [],
        state: 'open',
        comments: 0,
        reactions: [],
        createdAt: now,
        updatedAt: now,
        closedAt: null,
        pull: { mergedAt: null },
      });
      return { status: 201, json: renderPull(state, repo, pull) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls',
    auth: 'installation',
    needs: { names: ['pull_requests'], level: 'read' },
    handle: ({ state, repo, query }) => {
      const wanted = query.get('state') ?? 'open';
      const head = query.get('head');
      const base = query.get('base');
      const pulls = state.pulls.filter(
        (p) =>
          p.repo === repo.fullName &&
          (wanted === 'all' || p.state === wanted) &&
          (!head || headBranch(repo, head) === p.head.ref) &&
          (!base || p.base.ref === base),
      );
      return { status: 200, json: pulls.map((p) => renderPull(state, repo, p)) };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    auth: 'installation',
    needs: { names: ['pull_requests'], level: 'read' },
    handle: ({ state, repo, params }) => ({
      status: 200,
      json: renderPull(state, repo, findPull(state, repo, params.pull_number)),
    }),
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/pulls/{pull_number}',
    auth: 'installation',
    needs: { names: ['pull_requests'], level: 'write' },
    handle: ({ state, repo, params, body }) => {
      const pull = findPull(state, repo, params.pull_number);
      const title = stringField(body, 'PullRequest', 'title');
      const text = stringField(body, 'PullRequest', 'body', { max: PULL_BODY_MAX });
      const wanted = stringField(body, 'PullRequest', 'state');
      const base = stringField(body, 'PullRequest', 'base');
      if (wanted !== undefined && wanted !== 'open' && wanted !== 'closed')
        throw validationFailed([{ resource: 'PullRequest', code: 'invalid', field: 'state' }]);
      if (base !== undefined && !branchHead(repo.bare, base))
        throw validationFailed([{ resource: 'PullRequest', code: 'invalid', field: 'base' }]);
      const issue = findIssue(state, repo, String(pull.number));
      if (title !== undefined) pull.title = issue.title = title;
      if (text !== undefined) pull.body = issue.body = text;
      if (base !== undefined)
        pull.base = { ...pull.base, ref: base, sha: branchHead(repo.bare, base) ?? pull.base.sha };
      if (wanted !== undefined && wanted !== pull.state) {
        pull.state = issue.state = wanted;
        pull.closedAt = issue.closedAt = wanted === 'closed' ? state.now() : null;
      }
      pull.updatedAt = issue.updatedAt = state.now();
      return { status: 200, json: renderPull(state, repo, pull) };
    },
  },
  {
    method: 'POST',
    path: '/repos/{owner}/{repo}/check-runs',
    auth: 'installation',
    needs: { names: ['checks'], level: 'write' },
    handle: ({ state, repo, body }) => {
      const name = stringField(body, 'CheckRun', 'name', { required: true }) ?? '';
      const headSha = stringField(body, 'CheckRun', 'head_sha', { required: true }) ?? '';
      const sha = /^[0-9a-f]{40}$/.test(headSha) ? resolveCommit(repo.bare, headSha) : undefined;
      if (!sha)
        throw validationFailed([
          {
            resource: 'CheckRun',
            code: 'invalid',
            field: 'head_sha',
            message: `No commit found for SHA: ${headSha}`,
          },
        ]);
      const { status, conclusion } = checkStatus(body);
      const now = state.now();
      const run = {
        repo: repo.fullName,
        id: state.nextId('check_run'),
        name,
        headSha: sha,
        externalId: stringField(body, 'CheckRun', 'external_id') ?? '',
        detailsUrl: stringField(body, 'CheckRun', 'details_url') ?? null,
        status,
        conclusion,
        startedAt: now,
        completedAt: status === 'completed' ? now : null,
        output: checkOutput(body) ?? { title: null, summary: null, text: null },
      };
      state.checkRuns.push(run);
      return {
        status: 201,
        json: checkRunJson(state.ctx, repo.fullName, run, appJson(state.ctx, state.app)),
      };
    },
  },
  {
    method: 'PATCH',
    path: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
    auth: 'installation',
    needs: { names: ['checks'], level: 'write' },
    handle: ({ state, repo, params, body }) => {
      const run = state.checkRuns.find(
        (r) => r.repo === repo.fullName && String(r.id) === params.check_run_id,
      );
      if (!run) throw notFound();
      const name = stringField(body, 'CheckRun', 'name');
      const output = checkOutput(body);
      const { status, conclusion } = checkStatus(body, run);
      if (name !== undefined) run.name = name;
      if (output) run.output = output;
      run.status = status;
      run.conclusion = conclusion;
      if (status === 'completed' && run.completedAt === null) run.completedAt = state.now();
      return {
        status: 200,
        json: checkRunJson(state.ctx, repo.fullName, run, appJson(state.ctx, state.app)),
      };
    },
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/commits/{ref*}/check-runs',
    auth: 'installation',
    needs: { names: ['checks'], level: 'read' },
    handle: ({ state, repo, params }) => {
      const sha = resolveCommit(repo.bare, params.ref ?? '');
      if (!sha)
        throw validationFailed([
          {
            resource: 'Commit',
            field: 'ref',
            code: 'invalid',
            message: `No commit found for SHA: ${params.ref}`,
          },
        ]);
      const runs = state.checkRuns.filter((r) => r.repo === repo.fullName && r.headSha === sha);
      const app = appJson(state.ctx, state.app);
      return {
        status: 200,
        json: {
          total_count: runs.length,
          check_runs: runs.map((r) => checkRunJson(state.ctx, repo.fullName, r, app)),
        },
      };
    },
  },
];
