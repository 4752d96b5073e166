/** The gateway's routes as a Fastify plugin: mounted by `startGateway` or inside `warden serve`. */
import { brotliDecompressSync, gunzipSync, inflateSync, zstdDecompressSync } from 'node:zlib';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { createRedactor, type Redactor } from '../guard/redactor.ts';
import { messagesDialect } from './anthropic-messages.ts';
import { estimateInputTokens } from './anthropic-messages-request.ts';
import {
  admit,
  answerModelCall,
  attribute,
  attributeRequest,
  type CallContext,
  keyOf,
  sendError,
  startRecord,
} from './call.ts';
import { type Dialect, newId, type ParsedRequest } from './dialect.ts';
import { failure, toFailure } from './failure.ts';
import type { KeyVerifier } from './keys.ts';
import { chatDialect } from './openai-chat.ts';
import { responsesDialect } from './openai-responses.ts';
import type { ModelRouter } from './router.ts';
import type { GatewayApi, GatewayCall } from './types.ts';

export interface GatewayOptions {
  routes: ModelRouter;
  /** `createVirtualKeys()`, or keys behind a store. */
  keys: KeyVerifier;
  /** One record per request, for the caller to append to its audit log. Called after the answer; must not throw. */
  record?: (call: GatewayCall) => void;
  /** Applied to everything sent upstream; a fresh redactor (shape rules only) when not given. */
  redactor?: Redactor;
  /** Largest request body, in bytes, after decompression (default 32 MiB: agents send long histories). */
  bodyLimit?: number;
  /** A stream that has no token yet sends its headers after this long, then keepalives (default 3 s). */
  streamGraceMs?: number;
  /** Where the count of refused keyless requests is told (they are not recorded one by one). */
  log?: (line: string) => void;
}

const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;
const KEEPALIVE_MS = 15_000;

const DIALECTS: Record<string, Dialect<ParsedRequest>> = {
  'openai.responses': responsesDialect as Dialect<ParsedRequest>,
  'openai.chat': chatDialect as Dialect<ParsedRequest>,
  'openai.models': chatDialect as Dialect<ParsedRequest>,
  'anthropic.messages': messagesDialect,
  'anthropic.count_tokens': messagesDialect,
};

/** Codex may compress request bodies; Fastify does not decode them, so the JSON parser does. */
function decode(body: Buffer, encoding: string | undefined, limit: number): Buffer {
  const options = { maxOutputLength: limit };
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'identity':
    case '':
      return body;
    case 'gzip':
      return gunzipSync(body, options);
    case 'deflate':
      return inflateSync(body, options);
    case 'br':
      return brotliDecompressSync(body, options);
    case 'zstd':
      return zstdDecompressSync(body, options);
    default:
      throw Object.assign(new Error(`unsupported content-encoding "${encoding}"`), { statusCode: 415 });
  }
}

function apiOf(request: FastifyRequest): GatewayApi {
  return (request.routeOptions.config as { api?: GatewayApi }).api ?? 'openai.chat';
}

/**
 * The gateway: `POST /v1/responses`, `POST /v1/chat/completions`, `GET /v1/models` (OpenAI) and
 * `POST /v1/messages`, `POST /v1/messages/count_tokens` (Anthropic), each with its vendor's
 * auth, errors and streams. Register it with a prefix to serve it under a path.
 */
export function gatewayPlugin(options: GatewayOptions): FastifyPluginAsync {
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const ctx: CallContext = {
    routes: options.routes,
    keys: options.keys,
    redactor: options.redactor ?? createRedactor(),
    record: options.record ?? (() => {}),
    streamGraceMs: options.streamGraceMs ?? 3000,
    keepaliveMs: KEEPALIVE_MS,
    redactedKeys: new Set(),
  };

  return async (app: FastifyInstance) => {
    // The key is checked before the body is read: a keyless request costs no decompression or
    // parsing, and is not chain-recorded (anyone could grow the audit log with them), only counted.
    let refused = 0;
    app.addHook('onRequest', async (request, reply) => {
      if ((await ctx.keys.verify(keyOf(request))) !== undefined) return;
      refused += 1;
      if (/^10*$/.test(String(refused))) {
        options.log?.(`gateway: ${refused} request(s) without a valid virtual key refused so far`);
      }
      const api = apiOf(request);
      const dialect =
        api === 'openai.models' && request.headers['anthropic-version'] !== undefined
          ? messagesDialect
          : (DIALECTS[api] ?? chatDialect);
      sendError(
        dialect as Dialect<ParsedRequest>,
        reply,
        failure(
          'auth',
          'gateway.auth',
          'invalid or missing virtual key: send the wk-… key Warden issued as the API key',
        ),
      );
      return reply;
    });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      ['application/json', 'text/plain'],
      { parseAs: 'buffer', bodyLimit },
      (request, body: Buffer, done) => {
        try {
          const encoding = request.headers['content-encoding'];
          const text = decode(body, Array.isArray(encoding) ? encoding[0] : encoding, bodyLimit).toString(
            'utf8',
          );
          done(null, text.trim() === '' ? {} : JSON.parse(text));
        } catch (error) {
          const status = (error as { statusCode?: number }).statusCode ?? 400;
          done(
            Object.assign(new Error(`the request body is not valid JSON: ${(error as Error).message}`), {
              statusCode: status,
            }),
            undefined,
          );
        }
      },
    );

    // Failures before a handler runs (a body too large, bad JSON) still answer in the client's
    // format, and are still recorded.
    app.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
      const api = apiOf(request);
      const dialect = DIALECTS[api] ?? chatDialect;
      const status = error.statusCode ?? 500;
      const gatewayFailure =
        status < 500
          ? failure('bad_request', 'gateway.request', ctx.redactor.redact(error.message))
          : toFailure(error, ctx.redactor);
      const { call, finish } = startRecord(ctx, api, newId('req_'));
      await attributeRequest(ctx, call, request).catch(() => {});
      const wire = dialect.error(gatewayFailure);
      reply
        .code(status < 500 ? status : wire.status)
        .headers(wire.headers ?? {})
        .send(wire.body);
      finish(status < 500 ? status : wire.status, gatewayFailure);
      return reply;
    });

    const post = (url: string, api: GatewayApi) =>
      app.post(url, { bodyLimit, config: { api } }, (request, reply) =>
        answerModelCall(ctx, DIALECTS[api] as Dialect<ParsedRequest>, request, reply),
      );
    post('/v1/responses', 'openai.responses');
    post('/v1/chat/completions', 'openai.chat');
    post('/v1/messages', 'anthropic.messages');

    app.post(
      '/v1/messages/count_tokens',
      { bodyLimit, config: { api: 'anthropic.count_tokens' } },
      async (request, reply) => {
        const { call, finish } = startRecord(ctx, 'anthropic.count_tokens', newId('req_'));
        const admitted = await admit(ctx, request);
        if ('kind' in admitted) {
          await attributeRequest(ctx, call, request);
          sendError(messagesDialect, reply, admitted);
          return finish(reply.statusCode, admitted);
        }
        attribute(call, admitted);
        try {
          const input_tokens = estimateInputTokens(request.body);
          reply.send({ input_tokens });
          finish(200);
        } catch (error) {
          const failed = toFailure(error, ctx.redactor);
          sendError(messagesDialect, reply, failed);
          finish(reply.statusCode, failed);
        }
      },
    );

    // One list both SDKs can read: OpenAI's `object`/`owned_by` and Anthropic's `type`/`display_name`.
    app.get('/v1/models', { config: { api: 'openai.models' } }, async (request, reply) => {
      const { call, finish } = startRecord(ctx, 'openai.models', newId('req_'));
      const admitted = await admit(ctx, request);
      if ('kind' in admitted && admitted.kind === 'auth') {
        const dialect = request.headers['anthropic-version'] === undefined ? chatDialect : messagesDialect;
        sendError(dialect as Dialect<ParsedRequest>, reply, admitted);
        return finish(reply.statusCode, admitted);
      }
      await attributeRequest(ctx, call, request);
      const names = ctx.routes.names();
      const created = Math.floor(Date.now() / 1000);
      reply.send({
        object: 'list',
        data: names.map((id) => ({
          id,
          object: 'model',
          type: 'model',
          created,
          created_at: new Date(created * 1000).toISOString(),
          owned_by: 'warden',
          display_name: id,
        })),
        has_more: false,
        first_id: names[0] ?? null,
        last_id: names.at(-1) ?? null,
      });
      finish(200);
    });
  };
}
