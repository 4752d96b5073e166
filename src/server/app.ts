import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import openapiGlue from 'fastify-openapi-glue';
import { parse } from 'yaml';
import { consolePlugin } from '../console/plugin.ts';
import { ApiError, errorResponse, notFound, writeClientError } from './api-errors.ts';
import type { Principal } from './auth.ts';
import type { ServerContext } from './context.ts';
import { accountHandlers } from './routes/accounts.ts';
import { approvalHandlers } from './routes/approvals.ts';
import { catalogHandlers } from './routes/catalog.ts';
import { evalHandlers } from './routes/evals.ts';
import { eventHandlers } from './routes/events.ts';
import { keyHandlers } from './routes/keys.ts';
import { taskHandlers } from './routes/tasks.ts';
import { authRoutes } from './sso/auth-routes.ts';
import { authenticateRequest } from './sso/request-auth.ts';
import { refuseUnverifiedClientCertificate } from './tls/client-certificate.ts';
import { httpsOptions } from './tls/server-tls.ts';

/** The API's one description: routes and request validation are built from it, clients read it. */
export const OPENAPI: Record<string, unknown> = parse(
  readFileSync(new URL('./openapi.yaml', import.meta.url), 'utf8'),
);

/** The largest suite a client may send (instances, problem statements, test patches). */
const EVAL_BODY_LIMIT = 32 * 1024 * 1024;

export type AppContext = Omit<ServerContext, 'principal'>;

/**
 * The HTTP API: Fastify with every /v1 route, its validation and its security generated from the
 * OpenAPI document by fastify-openapi-glue. Every error, the framework's included, leaves as
 * `{error: {code, message, field}}`; unknown routes are 404s of the same shape.
 */
export async function buildApp(base: AppContext): Promise<FastifyInstance> {
  const principals = new WeakMap<FastifyRequest, Principal>();
  const ctx: ServerContext = {
    ...base,
    principal(request) {
      const principal = principals.get(request);
      // The security handler runs before every /v1 handler: a miss is a wiring fault, not the caller's.
      if (!principal) throw new Error('no principal on an authenticated route');
      return principal;
    },
  };
  const tls = base.config.transport?.tls;
  const https = tls ? httpsOptions(tls, base.config.source) : undefined;
  const app = Fastify({
    // HTTPS when server.yaml has tls: (the server is then an https.Server, reloadable on SIGHUP).
    ...((https ? { https } : {}) as object),
    logger: false,
    bodyLimit: 1024 * 1024,
    // Event streams stay open as long as their task runs: shutting down must not wait for them.
    forceCloseConnections: true,
    clientErrorHandler: writeClientError,
    // A malformed %-escape in the path is answered before routing, in the framework's own shape.
    frameworkErrors: (error, _request, reply: FastifyReply) => {
      const { status, body } = errorResponse(error);
      reply.code(status).send(body);
    },
    ajv: {
      customOptions: {
        // Unknown fields are errors that name them, not silently dropped; the first error is enough.
        removeAdditional: false,
        allErrors: false,
        coerceTypes: 'array',
        useDefaults: true,
        strict: false,
      },
    },
  });
  if (https?.requestCert && !https.rejectUnauthorized)
    app.addHook('onRequest', refuseUnverifiedClientCertificate);
  // JSON only: a text body would skip the schema, which is written for application/json.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((error, _request, reply) => {
    const { status, body } = errorResponse(error);
    if (status >= 500) base.log(`internal error: ${(error as Error)?.stack ?? String(error)}`);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const { status, body } = errorResponse(
      notFound(`${request.method} ${request.url.split('?')[0]}`, 'path'),
    );
    return reply.code(status).send(body);
  });
  // Fastify validates a body only when one was sent: a missing required body would reach the handler.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body) {
      throw new ApiError(400, 'request.invalid', 'body is required: a JSON object', {
        field: 'body',
        hint: 'send it with content-type: application/json (GET /openapi.json describes it)',
      });
    }
  });
  // A suite carries every instance's problem and hidden test patch: more than a task's instruction.
  app.addHook('onRoute', (route) => {
    if (route.url === '/v1/evals' && route.method === 'POST') route.bodyLimit = EVAL_BODY_LIMIT;
  });
  app.get('/openapi.json', async () => OPENAPI);
  await app.register(consolePlugin);
  await app.register(authRoutes(base.sso));

  await app.register(openapiGlue, {
    specification: forGlue(OPENAPI),
    serviceHandlers: {
      ...taskHandlers(ctx),
      ...eventHandlers(ctx),
      ...approvalHandlers(ctx),
      ...catalogHandlers(ctx),
      ...accountHandlers(ctx),
      ...keyHandlers(ctx),
      ...evalHandlers(ctx),
    },
    securityHandlers: {
      async bearer(request: FastifyRequest) {
        principals.set(request, await authenticateRequest(request, ctx.accounts, ctx.sso));
      },
    },
  });
  // Outside the glue: the gateway speaks the vendors' formats and takes virtual keys, not API tokens.
  await base.gateway?.mount(app);
  return app;
}

/**
 * The document as the glue takes it: without response schemas, which Fastify would use to
 * serialise answers and so silently drop every field they do not list (a report has many). They
 * stay in the served document, for clients.
 */
function forGlue(spec: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(spec) as { paths: Record<string, Record<string, { responses?: object }>> };
  for (const operations of Object.values(copy.paths)) {
    for (const operation of Object.values(operations)) {
      if (operation && typeof operation === 'object' && 'responses' in operation) {
        operation.responses = { default: { description: 'see /openapi.json' } };
      }
    }
  }
  return copy;
}
