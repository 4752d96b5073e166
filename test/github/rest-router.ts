/**
 * The fake's REST dispatch: match a route, authenticate as GitHub does (JWT for the App's own
 * routes, an installation token for the rest), then scope (a repository outside the token's reach
 * is 404, as GitHub hides what a caller may not see) and permission (403 `Resource not accessible
 * by integration`). Handlers throw `HttpError` for GitHub's error answers.
 */
import { type AuthResult, type InstallationToken, type PermissionLevel, permits } from './app-auth.ts';
import type { FakeGitHubState, RepoRecord } from './fake-github-state.ts';

export const DOCS = 'https://docs.github.com/rest';

export interface Reply {
  status: number;
  json?: unknown;
}

export class HttpError extends Error {
  readonly reply: Reply;
  constructor(status: number, body: Record<string, unknown>) {
    super(String(body.message));
    this.reply = { status, json: { ...body, documentation_url: DOCS, status: String(status) } };
  }
}

export const notFound = () => new HttpError(404, { message: 'Not Found' });

/** GitHub's 422: `Validation Failed` with the `errors` a client can act on. */
export function validationFailed(errors: Record<string, unknown>[]): HttpError {
  return new HttpError(422, { message: 'Validation Failed', errors });
}

export interface RouteCall {
  state: FakeGitHubState;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** The repository named by `{owner}/{repo}`, when the route has one. */
  repo: RepoRecord;
  /** Set on installation routes. */
  token: InstallationToken;
}

export interface Route {
  method: string;
  /** `/repos/{owner}/{repo}/issues/{issue_number}` style; `{name*}` for the rest of the path. */
  path: string;
  auth: 'jwt' | 'installation';
  /** Permissions any one of which, at the level, lets the call through. */
  needs?: { names: string[]; level: PermissionLevel };
  handle(call: RouteCall): Reply;
}

function compile(path: string): RegExp {
  // `{name*}` takes the rest of the path (a ref with slashes, sent raw or percent-encoded).
  return new RegExp(
    `^${path.replace(/\{(\w+)(\*?)\}/g, (_, name, rest) => `(?<${name}>${rest ? '.+' : '[^/]+'})`)}$`,
  );
}

export function requirePermission(call: RouteCall, names: string[], level: PermissionLevel): void {
  if (!names.some((n) => permits(call.token.permissions, n, level)))
    throw new HttpError(403, { message: 'Resource not accessible by integration' });
}

export function dispatch(
  routes: Route[],
  state: FakeGitHubState,
  method: string,
  path: string,
  query: URLSearchParams,
  rawBody: string,
  auth: AuthResult,
): Reply {
  try {
    if (auth.kind === 'rejected') throw new HttpError(401, { message: auth.message });
    let matched: { route: Route; params: Record<string, string> } | undefined;
    for (const route of routes) {
      const m = compile(route.path).exec(path);
      if (!m) continue;
      const params = Object.fromEntries(
        Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]),
      );
      if (route.method === method) {
        matched = { route, params };
        break;
      }
    }
    if (!matched) throw notFound();
    const { route, params } = matched;
    if (auth.kind === 'none') throw new HttpError(401, { message: 'Requires authentication' });
    if (route.auth === 'jwt' && auth.kind !== 'jwt')
      throw new HttpError(401, { message: 'A JSON web token could not be decoded' });
    if (route.auth === 'installation' && auth.kind !== 'installation')
      throw new HttpError(401, { message: 'Bad credentials' });
    const repo =
      params.owner && params.repo
        ? state.repos.get(`${params.owner}/${params.repo}`.toLowerCase())
        : undefined;
    if (params.owner && params.repo && !repo) throw notFound();
    const token = auth.kind === 'installation' ? auth.token : undefined;
    if (token && repo && !reaches(state, token, repo.fullName)) throw notFound();
    let body: Record<string, unknown> = {};
    if (rawBody.trim()) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        throw new HttpError(400, { message: 'Problems parsing JSON' });
      }
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw new HttpError(400, { message: 'Body should be a JSON object' });
    }
    const call = { state, params, query, body, repo, token } as RouteCall;
    if (route.needs) requirePermission(call, route.needs.names, route.needs.level);
    return route.handle(call);
  } catch (error) {
    if (error instanceof HttpError) return error.reply;
    throw error;
  }
}

export function reaches(state: FakeGitHubState, token: InstallationToken, fullName: string): boolean {
  const installation = state.installations.find((i) => i.id === token.installationId);
  if (!installation?.repositories.includes(fullName)) return false;
  return token.repositories === 'all' || token.repositories.includes(fullName);
}

/** GitHub's rule for a string field: present (when required), a string, within a length. */
export function stringField(
  body: Record<string, unknown>,
  resource: string,
  field: string,
  opts: { required?: boolean; max?: number } = {},
): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (opts.required) throw validationFailed([{ resource, code: 'missing_field', field }]);
    return undefined;
  }
  if (typeof value !== 'string')
    throw new HttpError(422, {
      message: `Invalid request.\n\nFor '${field}', ${JSON.stringify(value)} is not a string.`,
    });
  if (opts.max !== undefined && value.length > opts.max)
    throw validationFailed([
      {
        resource,
        code: 'custom',
        field,
        message: `${field} is too long (maximum is ${opts.max} characters)`,
      },
    ]);
  return value;
}
