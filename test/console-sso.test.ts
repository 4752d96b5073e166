import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { startTestProvider, type TestAccount, type TestProvider } from './oidc-provider.ts';
import { client, type Served, type ServerWorld, serverWorld, startServe } from './server.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium (scripts/setup.sh does)`;

/**
 * Single sign-on as a person meets it, in headless Chromium: `warden serve` configured for a real
 * OpenID provider on loopback (oidc-provider, PKCE required), signing in through the provider's own
 * login and consent pages. Groups map to team and role; an unmapped person is refused; sign-out and
 * the provider's word at renewal end a session; a change by cookie needs the CSRF header.
 * Screenshots land in /tmp/console-sso-*.png.
 */
describe('single sign-on in the console', { skip, timeout: 90_000 }, () => {
  let idp: TestProvider;
  let world: ServerWorld;
  let served: Served;
  let url: string;
  let admin: ReturnType<typeof client>;
  let browser: Browser;
  let ada: { context: BrowserContext; page: Page };
  const problems: string[] = [];

  before(async () => {
    idp = await startTestProvider({
      // First match wins: "backend" is listed before "everyone", so Ada is an operator of backend.
      ada: { name: 'Ada Lovelace', email: 'ada@example.com', groups: ['everyone', 'backend'] },
      viv: { name: 'Vivian Viewer', email: 'viv@example.com', groups: ['everyone'] },
      mal: { name: 'Mallory', email: 'mal@example.com', groups: ['contractors'] },
    });
    world = await serverWorld();
    const port = await freePort();
    await appendFile(
      join(world.data, 'server.yaml'),
      [
        '',
        'sso:',
        `  issuer: ${idp.issuer}`,
        `  client_id: ${idp.clientId}`,
        '  client_secret_env: WARDEN_SSO_CLIENT_SECRET',
        `  public_url: http://127.0.0.1:${port}`,
        '  scopes: [offline_access, profile, email, groups]',
        '  roles:',
        '    - { group: platform-admins, team: default, role: admin }',
        '    - { group: backend, team: backend, role: operator }',
        '    - { group: everyone, team: default, role: viewer }',
        '',
      ].join('\n'),
    );
    served = await startServe(world, { WARDEN_SSO_CLIENT_SECRET: idp.clientSecret }, port);
    url = served.url;
    idp.register(url);
    admin = client(url, served.adminToken);
    assert.equal((await admin('POST', '/v1/teams', { id: 'backend' })).status, 201);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    served?.child.kill('SIGTERM');
    await served?.exited;
    await idp?.close();
    await world?.cleanup();
  });

  /** A browser of its own (cookies and all) that reaches nothing but this machine. */
  async function newBrowser(viewport = { width: 1280, height: 860 }) {
    const context = await browser.newContext({ viewport, colorScheme: 'light' });
    // The provider's stock pages import a web font: tests never touch the internet.
    await context.route('**/*', (route) =>
      new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('console', (message) => {
      const at = message.location().url;
      if (message.type() === 'error' && at.startsWith(url) && !/status of 40[13]/.test(message.text())) {
        problems.push(`console: ${message.text()} at ${at}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    return { context, page };
  }

  /** From the console's sign-in page through the provider's login and consent pages. */
  async function signIn(page: Page, login: string) {
    await page.goto(url);
    await page.click('a[data-action="sso"]');
    await page.waitForURL(`${idp.issuer}/**`);
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', 'any password will do here');
    await page.click('button[type="submit"]');
    await page.click('button:has-text("Continue")');
  }

  const sessionCookie = async (context: BrowserContext) =>
    (await context.cookies(url)).find((cookie) => cookie.name === 'warden_session');

  /** A request with nothing but a cookie, as a script holding a stolen one would make it. */
  const withCookie = (value: string, path = '/v1/me') =>
    fetch(`${url}${path}`, { headers: { cookie: `warden_session=${value}` } });

  /** Moves a person's sessions past their expiry, as if session_minutes had gone by. */
  function expireSessions(user: string) {
    const db = new DatabaseSync(join(world.data, 'server.db'));
    try {
      db.prepare('UPDATE sso_sessions SET expires_at = ? WHERE user_id = ?').run(
        new Date(Date.now() - 1000).toISOString(),
        user,
      );
    } finally {
      db.close();
    }
  }

  it('offers SSO beside the token form; an operator signs in at the provider and gets the new-task form', async () => {
    ada = await newBrowser();
    const { page } = ada;
    await page.goto(url);
    await page.locator('a[data-action="sso"]', { hasText: 'Sign in with SSO' }).waitFor();
    await page.locator('#token').waitFor();
    await page.screenshot({ path: '/tmp/console-sso-login.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: '/tmp/console-sso-login-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: '/tmp/console-sso-login-phone.png' });
    assert.equal(await page.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth), 0);
    await page.setViewportSize({ width: 1280, height: 860 });

    await signIn(page, 'ada');
    await page.waitForURL(`${url}/`);
    await page.locator('.who .role', { hasText: 'operator' }).waitFor();
    assert.equal(await page.locator('.who .user').textContent(), 'ada@example.com');
    assert.match((await page.locator('.who').textContent()) ?? '', /backend/);
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    await page.click('nav a:has-text("New task")');
    await page.locator('#instruction').waitFor();
    await page.screenshot({ path: '/tmp/console-sso-operator.png' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: '/tmp/console-sso-operator-dark.png' });
    await page.emulateMedia({ colorScheme: 'light' });

    const me = await page.request.get(`${url}/v1/me`);
    assert.deepEqual(await me.json(), { user: 'sso:ada', role: 'operator', team: 'backend' });
    const cookie = await sessionCookie(ada.context);
    assert.ok(cookie, 'a session cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    // The sign-in under way (state, nonce, PKCE verifier) is gone once used.
    assert.equal((await ada.context.cookies(url)).filter((c) => c.name === 'warden_login').length, 0);
    const users = await admin('GET', '/v1/users');
    assert.ok(
      users.body.users.some(
        (u: { id: string; team: string; role: string }) =>
          u.id === 'sso:ada' && u.team === 'backend' && u.role === 'operator',
      ),
    );
    assert.deepEqual(problems, []);
  });

  it('refuses a change made by cookie without the session’s CSRF header; with it, or with a token, it goes through', async () => {
    const repository = await world.repo('shop');
    const model = await world.script('hello', [{ text: 'Nothing to do.' }]);
    const task = { repository, instruction: 'Look around.', model };
    const bare = await ada.page.request.post(`${url}/v1/tasks`, { data: task });
    assert.equal(bare.status(), 403);
    assert.equal((await bare.json()).error.code, 'auth.csrf');
    const forged = await ada.page.request.post(`${url}/v1/tasks`, {
      data: task,
      headers: { 'x-warden-csrf': 'A'.repeat(43) },
    });
    assert.equal(forged.status(), 403);

    const session = await (await ada.page.request.get(`${url}/auth/session`)).json();
    assert.equal(session.signedIn, true);
    const sent = await ada.page.request.post(`${url}/v1/tasks`, {
      data: task,
      headers: { 'x-warden-csrf': session.csrf },
    });
    assert.equal(sent.status(), 201, await sent.text());
    assert.equal((await sent.json()).createdBy, 'sso:ada');
    // API tokens are for automation: no cookie, no CSRF header.
    assert.equal((await admin('POST', '/v1/tasks', task)).status, 201);

    // The console sends the header itself: a task started from the form, followed live (SSE by cookie).
    const { page } = ada;
    await page.goto(`${url}/#/new`);
    await page.locator('#model option').first().waitFor({ state: 'attached' });
    await page.fill('#repository', repository);
    await page.fill('#instruction', 'Say hello.');
    await page.fill('#model-id', model);
    await page.click('button:has-text("Start task")');
    await page.waitForURL(/#\/tasks\/t/);
    await page.locator('.say.assistant', { hasText: 'Nothing to do.' }).waitFor();
    await page.locator('.report[data-report="finished"]').waitFor();
    assert.deepEqual(problems, []);
  });

  it('gives a viewer no new-task form', async () => {
    const viv = await newBrowser({ width: 390, height: 844 });
    await signIn(viv.page, 'viv');
    await viv.page.locator('.who .role', { hasText: 'viewer' }).waitFor();
    assert.equal(await viv.page.locator('nav a', { hasText: 'New task' }).count(), 0);
    assert.equal(await viv.page.locator('.page-head a', { hasText: 'New task' }).count(), 0);
    await viv.page.screenshot({ path: '/tmp/console-sso-viewer-phone.png' });
    await viv.page.goto(`${url}/#/new`);
    await viv.page.locator('[data-refused="task.create"]', { hasText: 'Your role, viewer' }).waitFor();
    assert.equal(await viv.page.locator('#instruction').count(), 0);
    assert.equal(
      (await viv.page.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth)) <= 0,
      true,
    );
    await viv.context.close();
    assert.deepEqual(problems, []);
  });

  it('refuses someone whose groups map to nothing, saying so, and makes no user or session', async () => {
    const mal = await newBrowser({ width: 390, height: 844 });
    await signIn(mal.page, 'mal');
    await mal.page.locator('[data-refusal] h1', { hasText: 'No access to Warden' }).waitFor();
    const said = (await mal.page.getByRole('alert').textContent()) ?? '';
    assert.match(
      said,
      /signed in at the identity provider as mal@example\.com, but none of your groups \(contractors\) is mapped/,
    );
    await mal.page.screenshot({ path: '/tmp/console-sso-refused-phone.png' });
    await mal.page.emulateMedia({ colorScheme: 'dark' });
    await mal.page.screenshot({ path: '/tmp/console-sso-refused-phone-dark.png' });
    assert.equal(await sessionCookie(mal.context), undefined);
    const users = await admin('GET', '/v1/users');
    assert.ok(!users.body.users.some((u: { id: string }) => u.id === 'sso:mal'));
    await mal.context.close();
  });

  it('signs out at once, here and at the provider: the old cookie no longer works', async () => {
    const { page, context } = ada;
    await page.goto(url);
    const cookie = await sessionCookie(context);
    assert.ok(cookie);
    assert.equal((await withCookie(cookie.value)).status, 200);
    await page.click('[data-action="sign-out"]');
    // The provider asks whether to end its own session too, then sends the browser back.
    await page.waitForURL(`${idp.issuer}/**`);
    await page.click('button[value="yes"]');
    await page.waitForURL(`${url}/`);
    await page.locator('a[data-action="sso"]').waitFor();
    assert.equal((await withCookie(cookie.value)).status, 401);
    assert.equal(await sessionCookie(context), undefined);
    // Signing in again asks who you are: the provider's session ended as well.
    await page.click('a[data-action="sso"]');
    await page.locator('input[name="login"]').waitFor();
    await context.close();
  });

  it('renews an expired session with the provider, and ends it when the provider says so', async () => {
    const { page, context } = await newBrowser();
    await signIn(page, 'ada');
    await page.locator('.who .role', { hasText: 'operator' }).waitFor();
    const cookie = await sessionCookie(context);
    assert.ok(cookie);

    // Expired: renewed with the refresh token, the groups read again.
    expireSessions('sso:ada');
    assert.deepEqual(await (await withCookie(cookie.value)).json(), {
      user: 'sso:ada',
      role: 'operator',
      team: 'backend',
    });

    // Out of "backend" at the provider: at the next renewal, only a viewer.
    idp.accounts.set('ada', { ...(idp.accounts.get('ada') as TestAccount), groups: ['everyone'] });
    expireSessions('sso:ada');
    assert.deepEqual(await (await withCookie(cookie.value)).json(), {
      user: 'sso:ada',
      role: 'viewer',
      team: 'default',
    });

    // Disabled at the provider: the renewal is refused and the session ends.
    idp.accounts.set('ada', { ...(idp.accounts.get('ada') as TestAccount), disabled: true });
    expireSessions('sso:ada');
    const refused = await withCookie(cookie.value);
    assert.equal(refused.status, 401);
    const { error } = (await refused.json()) as { error: { message: string } };
    assert.match(error.message, /the session ended: the provider refused to renew/);
    // Ended, not only refused: the provider taking the account back does not revive it.
    idp.accounts.set('ada', { ...(idp.accounts.get('ada') as TestAccount), disabled: false });
    assert.equal((await withCookie(cookie.value)).status, 401);
    await page.reload();
    await page.locator('a[data-action="sso"]').waitFor();
    await context.close();
    assert.match(served.output(), /sso: the 1 session\(s\) of sso:ada ended: the provider refused to renew/);
  });

  it('ends the session of someone the provider has taken out of every mapped group', async () => {
    const { page, context } = await newBrowser();
    await signIn(page, 'viv');
    await page.locator('.who .role', { hasText: 'viewer' }).waitFor();
    const cookie = await sessionCookie(context);
    assert.ok(cookie);
    idp.accounts.set('viv', { ...(idp.accounts.get('viv') as TestAccount), groups: [] });
    expireSessions('sso:viv');
    // The console, at its next call, finds the session over and says why.
    await page.click('nav a:has-text("Approvals")');
    const notice = page.locator('.callout', { hasText: 'Your single sign-on session ended' });
    await notice.waitFor();
    assert.match(
      (await notice.textContent()) ?? '',
      /ended: the provider lists no groups for you \(claim "groups"\), so none maps to a Warden team\. Ask an admin/,
    );
    await page.screenshot({ path: '/tmp/console-sso-ended.png' });
    assert.equal((await withCookie(cookie.value)).status, 401);
    await context.close();
  });
});

/** A port nothing listens on now, for a server whose address must be written before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
