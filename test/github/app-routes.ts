/**
 * The App's own routes, reached with its JWT: the App, its installations, and installation access
 * tokens narrowed to the repositories and permissions asked for — never more than the installation
 * has, with GitHub's 422s when a caller asks for more.
 */
import { newInstallationToken, type PermissionLevel, type Permissions, permits } from './app-auth.ts';
import type { FakeGitHubState, Installation } from './fake-github-state.ts';
import { appJson, isoTime, repositoryJson, userJson } from './github-shapes.ts';
import { HttpError, notFound, type Route, validationFailed } from './rest-router.ts';

const HOUR_MS = 60 * 60 * 1000;

function installationJson(state: FakeGitHubState, i: Installation): Record<string, unknown> {
  const { ctx, app } = state;
  return {
    id: i.id,
    account: userJson(ctx, i.account),
    repository_selection: 'selected',
    access_tokens_url: `${ctx.api}/app/installations/${i.id}/access_tokens`,
    repositories_url: `${ctx.api}/installation/repositories`,
    html_url: `${ctx.web}/settings/installations/${i.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: i.account.id,
    target_type: i.account.type,
    permissions: i.permissions,
    events: app.events,
    created_at: isoTime(app.createdAt),
    updated_at: isoTime(app.createdAt),
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

function installationById(state: FakeGitHubState, id: string): Installation {
  const found = state.installations.find((i) => String(i.id) === id);
  if (!found) throw notFound();
  return found;
}

/** The repositories asked for by name or id, each one the installation's, else GitHub's 422. */
function requestedRepositories(
  state: FakeGitHubState,
  i: Installation,
  body: Record<string, unknown>,
): string[] | 'all' {
  const names = body.repositories;
  const ids = body.repository_ids;
  if (names === undefined && ids === undefined) return 'all';
  if ((names !== undefined && !Array.isArray(names)) || (ids !== undefined && !Array.isArray(ids)))
    throw new HttpError(422, {
      message: 'Invalid request.\n\nrepositories and repository_ids must be arrays.',
    });
  const chosen = new Set<string>();
  const owned = i.repositories
    .map((full) => state.repos.get(full.toLowerCase()))
    .filter((r) => r !== undefined);
  for (const name of (names as unknown[]) ?? []) {
    const repo = owned.find((r) => typeof name === 'string' && r.name.toLowerCase() === name.toLowerCase());
    if (!repo) throw inaccessible();
    chosen.add(repo.fullName);
  }
  for (const id of (ids as unknown[]) ?? []) {
    const repo = owned.find((r) => r.id === id);
    if (!repo) throw inaccessible();
    chosen.add(repo.fullName);
  }
  return [...chosen];
}

const inaccessible = () =>
  new HttpError(422, {
    message:
      'There is at least one repository that does not exist or is not accessible to the parent installation.',
  });

function requestedPermissions(i: Installation, body: Record<string, unknown>): Permissions {
  const asked = body.permissions;
  if (asked === undefined) return { ...i.permissions };
  if (!asked || typeof asked !== 'object' || Array.isArray(asked))
    throw new HttpError(422, { message: "Invalid request.\n\nFor 'permissions', it is not an object." });
  const granted: Permissions = {};
  for (const [name, level] of Object.entries(asked)) {
    if (level !== 'read' && level !== 'write' && level !== 'admin')
      throw validationFailed([{ resource: 'Installation', field: 'permissions', code: 'invalid' }]);
    if (!permits(i.permissions, name, level as PermissionLevel))
      throw new HttpError(422, {
        message: 'The permissions requested are not granted to this installation.',
      });
    granted[name] = level;
  }
  return granted;
}

export const appRoutes: Route[] = [
  {
    method: 'GET',
    path: '/app',
    auth: 'jwt',
    handle: ({ state }) => ({
      status: 200,
      json: { ...appJson(state.ctx, state.app), installations_count: state.installations.length },
    }),
  },
  {
    method: 'GET',
    path: '/app/installations',
    auth: 'jwt',
    handle: ({ state }) => ({
      status: 200,
      json: state.installations.map((i) => installationJson(state, i)),
    }),
  },
  {
    method: 'GET',
    path: '/app/installations/{installation_id}',
    auth: 'jwt',
    handle: ({ state, params }) => ({
      status: 200,
      json: installationJson(state, installationById(state, params.installation_id ?? '')),
    }),
  },
  {
    method: 'GET',
    path: '/repos/{owner}/{repo}/installation',
    auth: 'jwt',
    handle: ({ state, repo }) => {
      const i = state.installations.find((x) => x.repositories.includes(repo.fullName));
      if (!i) throw notFound();
      return { status: 200, json: installationJson(state, i) };
    },
  },
  {
    method: 'POST',
    path: '/app/installations/{installation_id}/access_tokens',
    auth: 'jwt',
    handle: ({ state, params, body }) => {
      const i = installationById(state, params.installation_id ?? '');
      const repositories = requestedRepositories(state, i, body);
      const permissions = requestedPermissions(i, body);
      const token = {
        token: newInstallationToken(),
        installationId: i.id,
        repositories,
        permissions,
        expiresAt: state.now() + HOUR_MS,
      };
      state.tokens.set(token.token, token);
      return {
        status: 201,
        json: {
          token: token.token,
          expires_at: isoTime(token.expiresAt),
          permissions,
          repository_selection: repositories === 'all' ? 'all' : 'selected',
          ...(repositories === 'all'
            ? {}
            : {
                repositories: repositories.map((full) => {
                  const repo = state.repos.get(full.toLowerCase());
                  return repo ? repositoryJson(state.ctx, repo) : null;
                }),
              }),
        },
      };
    },
  },
];
