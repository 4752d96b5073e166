import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REPORT_CSS } from '../eval/report-html-style.ts';
import { type ConsoleAssets, consoleAssets } from './assets.ts';

/**
 * An evaluation's HTML report, fetched with the token and opened from a blob: URL, runs under this
 * page's policy as well as its own (a blob document inherits its creator's). Its one stylesheet is
 * a constant, let in by its hash: no other inline style, and no style attribute, gets through.
 */
export const REPORT_STYLE_SOURCE = `'sha256-${createHash('sha256').update(REPORT_CSS).digest('base64')}'`;

/**
 * The page may load only its own files and talk only to its own origin. Inline scripts and styles
 * are refused (but for the report's stylesheet above), and Trusted Types leaves no way to turn a
 * string into markup: text from the API (task instructions, file names, command output) can only
 * ever become text.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  `style-src 'self' ${REPORT_STYLE_SOURCE}`,
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // The address holds task ids; no other site needs to learn them.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface ConsolePluginOptions {
  assets?: ConsoleAssets;
}

/**
 * The web console: `/` is its page and `/console/*` its files. It holds no data and no
 * credentials: the browser signs in with an API token and calls the public /v1 API like any other
 * client, so every answer it sees went through the same authentication and Cedar decisions.
 */
export async function consolePlugin(app: FastifyInstance, options: ConsolePluginOptions = {}): Promise<void> {
  const assets = options.assets ?? consoleAssets();
  const serve = (path: string, request: FastifyRequest, reply: FastifyReply) => {
    const asset = assets.get(path);
    if (!asset) return reply.callNotFound();
    reply.headers(SECURITY_HEADERS);
    // Revalidated on every load, so an upgraded server is never half-old in the browser.
    reply.header('cache-control', 'no-cache');
    reply.header('etag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    reply.type(asset.contentType);
    return reply.send(asset.body);
  };
  app.get('/', (request, reply) => serve('index.html', request, reply));
  app.get<{ Params: { '*': string } }>('/console/*', (request, reply) =>
    serve(request.params['*'], request, reply),
  );
}
