import {
  type Api,
  ApiFailure,
  type Approval,
  createApi,
  failureOf,
  type Me,
  type SsoSession,
} from './api.ts';
import { h, replace } from './dom.ts';
import { every, startsTasks, type View, type ViewContext } from './view.ts';
import { approvalsView } from './views/approvals.ts';
import { auditView } from './views/audit.ts';
import { evalRunView } from './views/eval-run.ts';
import { evalListView } from './views/evals.ts';
import { keysView } from './views/keys.ts';
import { loginView } from './views/login.ts';
import { newTaskView } from './views/new-task.ts';
import { policiesView } from './views/policies.ts';
import { taskView } from './views/task.ts';
import { taskListView } from './views/task-list.ts';
import { usageView } from './views/usage.ts';

/**
 * A pasted token lives in sessionStorage: it survives a reload but not the tab, and is never
 * written to a cookie. Signed in with SSO, the browser holds an HttpOnly cookie the page cannot
 * read, and the page holds the session's CSRF token, without which the server refuses any change.
 */
const TOKEN_KEY = 'warden.token';

interface Route {
  pattern: RegExp;
  nav: string;
  view: View;
}

const ROUTES: Route[] = [
  { pattern: /^tasks\/([^/]+)\/audit$/, nav: 'tasks', view: auditView },
  { pattern: /^tasks\/([^/]+)$/, nav: 'tasks', view: taskView },
  { pattern: /^(?:tasks)?$/, nav: 'tasks', view: taskListView },
  { pattern: /^new$/, nav: 'new', view: newTaskView },
  { pattern: /^approvals$/, nav: 'approvals', view: approvalsView },
  { pattern: /^policies(?:\/([^/]+))?$/, nav: 'policies', view: policiesView },
  { pattern: /^usage$/, nav: 'usage', view: usageView },
  { pattern: /^evals\/([^/]+)$/, nav: 'evals', view: evalRunView },
  { pattern: /^evals$/, nav: 'evals', view: evalListView },
  { pattern: /^keys$/, nav: 'keys', view: keysView },
];

const NAV: [string, string][] = [
  ['tasks', 'Tasks'],
  ['new', 'New task'],
  ['approvals', 'Approvals'],
  ['policies', 'Policies'],
  ['usage', 'Usage'],
  ['evals', 'Evaluations'],
  ['keys', 'Keys'],
];

/** Stops the signed-in console's timers and streams. */
let unmount: (() => void) | undefined;

const root = document.getElementById('app');
if (root) void start(root);

async function start(root: HTMLElement, message?: string): Promise<void> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  try {
    let api: Api;
    let me: Me;
    if (token) {
      api = createApi({ token }, (failure) => signOut(root, `Signed out: ${failure.describe()}`));
      me = await api.get<Me>('/v1/me');
    } else {
      const session = await ssoSession();
      if (!session.signedIn) return showLogin(root, message ?? session.message, session.sso);
      api = createApi({ csrf: session.csrf }, (failure) => signOut(root, sessionEnded(failure.message)));
      me = { user: session.user, role: session.role, team: session.team, name: session.name };
    }
    unmount = mount(root, api, me);
  } catch (error) {
    if (error instanceof ApiFailure && error.status === 401) return;
    replace(
      root,
      h(
        'div',
        { class: 'login' },
        h(
          'p',
          { class: 'callout error' },
          `The console cannot reach the Warden API: ${(error as Error).message}`,
        ),
        h('button', { type: 'button', onclick: () => void start(root) }, 'Try again'),
      ),
    );
  }
}

/** The server's reason, said once: "the session ended: …" becomes the sentence the person reads. */
function sessionEnded(reason: string): string {
  const why = reason.replace(/^the session ended: /, '').replace(/\.$/, '');
  return `Your single sign-on session ended: ${why}. Sign in again.`;
}

/** Whether SSO is on, and who the cookie signs in (the server renews an expired session here). */
async function ssoSession(): Promise<SsoSession> {
  let response: Response;
  try {
    response = await fetch('/auth/session', { cache: 'no-store' });
  } catch (error) {
    throw new ApiFailure(0, 'network', (error as Error).message);
  }
  if (!response.ok) throw await failureOf(response);
  return (await response.json()) as SsoSession;
}

function showLogin(root: HTMLElement, message?: string, sso = false): void {
  replace(
    root,
    loginView({
      message,
      sso,
      signIn(token) {
        sessionStorage.setItem(TOKEN_KEY, token);
        void start(root);
      },
    }),
  );
}

function signOut(root: HTMLElement, message?: string): void {
  unmount?.();
  unmount = undefined;
  sessionStorage.removeItem(TOKEN_KEY);
  void start(root, message);
}

/**
 * Ends the SSO session on the server at once, then goes to the provider's sign-out (which comes
 * back to the console) so that the next "Sign in with SSO" asks who you are again.
 */
async function signOutOfSso(root: HTMLElement, api: Api): Promise<void> {
  unmount?.();
  unmount = undefined;
  try {
    const response = await fetch('/auth/logout', {
      method: 'POST',
      headers: api.headers(),
      cache: 'no-store',
    });
    if (!response.ok) throw await failureOf(response);
    const { redirect } = (await response.json()) as { redirect: string };
    location.assign(redirect);
  } catch (error) {
    const reason = error instanceof ApiFailure ? error.describe() : String(error);
    void start(root, `Signing out failed: ${reason}`);
  }
}

/** The signed-in console: top bar, then the page the address names. */
function mount(root: HTMLElement, api: Api, me: Me): () => void {
  const links = new Map<string, HTMLAnchorElement>();
  const pending = h('span', { class: 'count', hidden: true });
  const nav = h(
    'nav',
    { 'aria-label': 'Sections' },
    ...NAV.filter(([key]) => key !== 'new' || startsTasks(me)).map(([key, label]) => {
      const a = h('a', { href: `#/${key}` }, label, key === 'approvals' ? pending : null);
      links.set(key, a);
      return a;
    }),
  );
  const main = h('main', { id: 'main' });
  replace(
    root,
    h(
      'header',
      { class: 'topbar' },
      h(
        'a',
        { class: 'brand', href: '#/tasks' },
        h('span', { class: 'mark', 'aria-hidden': 'true' }),
        'Warden',
      ),
      nav,
      h(
        'div',
        { class: 'who' },
        h(
          'span',
          { class: 'user', title: me.name ? `${me.user} · team ${me.team}` : `team ${me.team}` },
          me.name ?? me.user,
        ),
        h('span', { class: 'role' }, me.role),
        h('span', { class: 'muted' }, me.team),
        h(
          'button',
          {
            type: 'button',
            class: 'link',
            'data-action': 'sign-out',
            onclick: () => ('csrf' in api.credential ? void signOutOfSso(root, api) : signOut(root)),
          },
          'Sign out',
        ),
      ),
    ),
    main,
  );

  const countApprovals = async () => {
    try {
      const { approvals } = await api.get<{ approvals: Approval[] }>(
        '/v1/approvals?status=pending&limit=500',
      );
      pending.textContent = String(approvals.length);
      pending.hidden = approvals.length === 0;
    } catch {
      pending.hidden = true;
    }
  };
  const stopCounting = every(5000, countApprovals);

  let dispose: (() => void) | undefined;
  const onRoute = () => {
    dispose?.();
    dispose = undefined;
    const [path = '', search = ''] = location.hash.replace(/^#\/?/, '').split('?', 2);
    const route = ROUTES.find((r) => r.pattern.test(path));
    for (const [key, a] of links) a.classList.toggle('active', key === route?.nav);
    // On a phone the links scroll sideways: the current one is kept in sight.
    if (route) links.get(route.nav)?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    main.replaceChildren();
    if (!route) {
      main.append(
        h('div', { class: 'empty' }, 'No such page. ', h('a', { href: '#/tasks' }, 'Back to tasks')),
      );
      return;
    }
    const params = (route.pattern.exec(path) ?? []).slice(1).map((p) => (p ? decodeURIComponent(p) : ''));
    const ctx: ViewContext = {
      api,
      me,
      main,
      params,
      query: new URLSearchParams(search),
      refreshChrome: () => void countApprovals(),
    };
    dispose = route.view(ctx);
    window.scrollTo(0, 0);
  };
  window.addEventListener('hashchange', onRoute);
  onRoute();
  return () => {
    window.removeEventListener('hashchange', onRoute);
    stopCounting();
    dispose?.();
  };
}
