import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONTENT_SECURITY_POLICY } from '../../console/plugin.ts';
import { isWardenError, messageOf } from '../../errors.ts';
import { errorResponse } from '../api-errors.ts';
import { readCookie, setCookie } from './cookies.ts';
import type { PendingLogin } from './provider.ts';
import { refusalPage } from './refusal-page.ts';
import { CSRF_HEADER, LOGIN_SECONDS, type SsoSessions } from './sso-sessions.ts';

const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // The callback's address holds the authorization code: no page it links to may learn it.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/**
 * `/auth/*`, beside the API: `GET /auth/session` says whether single sign-on is on and who the
 * cookie signs in (always answered, so the console can ask before it knows); with `sso:` set,
 * `GET /auth/login` sends the browser to the provider, `GET /auth/callback` takes it back and sets
 * the session cookie, and `POST /auth/logout` ends the session here and says where the provider's
 * sign-out is.
 */
export function authRoutes(sso: SsoSessions | undefined) {
  return async (app: FastifyInstance) => {
    app.get('/auth/session', async (request, reply) => {
      reply.header('cache-control', 'no-store');
      if (!sso) return { sso: false, signedIn: false };
      if (!readCookie(request.headers.cookie, sso.cookies.session)) return { sso: true, signedIn: false };
      try {
        const principal = await sso.authenticate(request);
        const view = sso.view(principal);
        return { sso: true, signedIn: true, ...view, team: principal.team.id };
      } catch (error) {
        if (!isWardenError(error)) throw error;
        reply.header('set-cookie', setCookie(sso.cookies, sso.cookies.session, '', 0));
        return { sso: true, signedIn: false, message: error.message };
      }
    });
    if (!sso) return;

    app.get('/auth/login', async (_request, reply) => {
      try {
        const { url, pending } = await sso.begin();
        const value = Buffer.from(JSON.stringify(pending)).toString('base64url');
        reply.header('set-cookie', setCookie(sso.cookies, sso.cookies.login, value, LOGIN_SECONDS));
        reply.headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
        return reply.redirect(url.href, 302);
      } catch (error) {
        return page(reply, 503, 'Single sign-on is unavailable', messageOf(error));
      }
    });

    app.get('/auth/callback', async (request, reply) => {
      const callback = new URL(sso.config.redirectUrl.href);
      callback.search = new URL(request.url, 'http://callback.invalid').search;
      const cleared = setCookie(sso.cookies, sso.cookies.login, '', 0);
      const finished = await sso.finish(
        callback,
        pendingOf(readCookie(request.headers.cookie, sso.cookies.login)),
      );
      if (!finished.ok) {
        reply.header('set-cookie', cleared);
        return page(reply, finished.status, finished.title, finished.message);
      }
      // A session cookie of the browser's session: closing the browser ends it too.
      reply.header('set-cookie', [cleared, setCookie(sso.cookies, sso.cookies.session, finished.secret)]);
      reply.headers({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
      return reply.redirect(sso.config.publicUrl.href, 303);
    });

    app.post('/auth/logout', async (request: FastifyRequest, reply) => {
      const given = request.headers[CSRF_HEADER];
      try {
        const endSession = await sso.signOut(request.headers.cookie, Array.isArray(given) ? given[0] : given);
        reply.header('set-cookie', setCookie(sso.cookies, sso.cookies.session, '', 0));
        reply.header('cache-control', 'no-store');
        return { redirect: endSession?.href ?? sso.config.publicUrl.href };
      } catch (error) {
        const { status, body } = errorResponse(error);
        return reply.code(status).send(body);
      }
    });
  };
}

function pendingOf(value: string | undefined): PendingLogin | undefined {
  if (!value) return undefined;
  try {
    const data = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<PendingLogin>;
    const ok = [data.state, data.nonce, data.verifier].every((v) => typeof v === 'string' && v.length > 0);
    return ok ? (data as PendingLogin) : undefined;
  } catch {
    return undefined;
  }
}

function page(reply: FastifyReply, status: number, title: string, message: string) {
  reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8');
  return reply.send(refusalPage(title, message));
}
