/**
 * One model call through the gateway, whatever the wire format: authenticate, check the budget,
 * route, redact, call the model with Warden's retries and fallbacks, answer in the client's
 * format, charge the key, record the call.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redactor } from '../guard/redactor.ts';
import type { Turn, TurnDelta, Usage } from '../models/types.ts';
import type { Dialect, ParsedRequest, StreamEncoder, WireMeta } from './dialect.ts';
import { failure, recordedFailure, toFailure } from './failure.ts';
import type { KeyVerifier, StoredVirtualKey } from './keys.ts';
import { estimatedCharge } from './partial-usage.ts';
import { redactTurnRequest } from './redact-request.ts';
import type { ModelRouter } from './router.ts';
import type { GatewayApi, GatewayCall, GatewayFailure } from './types.ts';

export interface CallContext {
  routes: ModelRouter;
  keys: KeyVerifier;
  redactor: Redactor;
  record: (call: GatewayCall) => void;
  /** How long a stream may wait for its first token before headers go out (then keepalives). */
  streamGraceMs: number;
  keepaliveMs: number;
  /** Ids of keys the redactor already knows. */
  redactedKeys: Set<string>;
}

const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

/** The virtual key of a request: `x-api-key` (Anthropic) or `Authorization: Bearer` (OpenAI, both). */
export function keyOf(request: FastifyRequest): string | undefined {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return apiKey.trim();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** The record of a request, filled in as it goes; `finish` sends it exactly once. */
export function startRecord(
  ctx: CallContext,
  api: GatewayApi,
  id: string,
): { call: GatewayCall; finish(status: number, error?: GatewayFailure): void } {
  const started = performance.now();
  const call: GatewayCall = {
    id,
    time: new Date().toISOString(),
    api,
    owner: undefined,
    requestedModel: undefined,
    model: undefined,
    stream: false,
    status: 0,
    usage: ZERO_USAGE,
    cost: undefined,
    durationMs: 0,
    attempts: 0,
  };
  let sent = false;
  return {
    call,
    finish(status, error) {
      if (sent) return;
      sent = true;
      call.status = status;
      call.durationMs = Math.round((performance.now() - started) * 100) / 100;
      if (error !== undefined) call.error = recordedFailure(error.code);
      ctx.record(call);
    },
  };
}

/** Who the record names: the key's owner, id and team, when the key is known. */
export function attribute(call: GatewayCall, holder: StoredVirtualKey | undefined): void {
  if (holder === undefined) return;
  call.owner = holder.owner;
  call.keyId = holder.id;
  if (holder.team !== undefined) call.team = holder.team;
}

/** The record's owner for a request that failed before or without `admit`. */
export async function attributeRequest(ctx: CallContext, call: GatewayCall, request: FastifyRequest) {
  attribute(call, await ctx.keys.verify(keyOf(request)));
}

/** Authenticate and check the budget; the failure to answer with, or the key's holder. */
export async function admit(
  ctx: CallContext,
  request: FastifyRequest,
): Promise<StoredVirtualKey | GatewayFailure> {
  const key = keyOf(request);
  const holder = await ctx.keys.verify(key);
  if (holder === undefined || key === undefined) {
    return failure(
      'auth',
      'gateway.auth',
      'invalid or missing virtual key: send the wk-… key Warden issued as the API key',
    );
  }
  // The virtual key turns up in what the agent reads (its own env, `printenv`); it is useless
  // away from this gateway, but a key is not for the provider to keep. Learned once per key.
  if (!ctx.redactedKeys.has(holder.id)) {
    ctx.redactedKeys.add(holder.id);
    ctx.redactor.addKnown([{ value: key, kind: 'virtual-key' }]);
  }
  const budget = await ctx.keys.check(holder);
  if (!budget.ok) return failure('budget', 'gateway.budget', budget.message);
  return holder;
}

function isFailure(value: StoredVirtualKey | GatewayFailure): value is GatewayFailure {
  return 'kind' in value;
}

export function sendError(dialect: Dialect<ParsedRequest>, reply: FastifyReply, error: GatewayFailure): void {
  const wire = dialect.error(error);
  reply
    .code(wire.status)
    .headers(wire.headers ?? {})
    .send(wire.body);
}

/**
 * Streams commit late: headers go out with the first token, at the end, or after the grace
 * period — so a failure before any output (a bad key upstream, a 429 after Warden's retries)
 * still reaches the client as a proper HTTP status, which every client handles, rather than
 * as an in-band error event, which some do not.
 */
function streamWriter(reply: FastifyReply, encoder: StreamEncoder, ctx: CallContext) {
  let committed = false;
  let keepalive: NodeJS.Timeout | undefined;
  const write = (text: string) => {
    if (!reply.raw.destroyed && text !== '') reply.raw.write(text);
  };
  const commit = () => {
    if (committed) return;
    committed = true;
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    write(encoder.open());
  };
  const grace = setTimeout(() => {
    commit();
    keepalive = setInterval(() => write(encoder.keepalive()), ctx.keepaliveMs);
  }, ctx.streamGraceMs);
  const stop = () => {
    clearTimeout(grace);
    clearInterval(keepalive);
  };
  const end = (last: () => string) => {
    stop();
    commit();
    write(last());
    reply.raw.end();
  };
  return {
    get committed() {
      return committed;
    },
    text(delta: string) {
      commit();
      write(encoder.text(delta));
    },
    finish(turn: Turn) {
      end(() => encoder.finish(turn));
    },
    fail(error: GatewayFailure) {
      end(() => encoder.fail(error));
    },
    stop,
  };
}

export async function answerModelCall(
  ctx: CallContext,
  dialect: Dialect<ParsedRequest>,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const id = dialect.newId();
  const { call, finish } = startRecord(ctx, dialect.api, id);
  const refuse = (error: GatewayFailure) => {
    sendError(dialect, reply, error);
    finish(dialect.error(error).status, error);
  };

  const admitted = await admit(ctx, request);
  if (isFailure(admitted)) {
    await attributeRequest(ctx, call, request);
    return refuse(admitted);
  }
  attribute(call, admitted);

  let parsed: ParsedRequest;
  let route: ReturnType<ModelRouter['route']>;
  try {
    parsed = dialect.parse(request.body);
    call.requestedModel = parsed.model;
    call.stream = parsed.stream;
    route = ctx.routes.route(parsed.model);
  } catch (error) {
    return refuse(toFailure(error, ctx.redactor));
  }
  call.model = route.target;

  const abort = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) abort.abort();
  });
  const meta: WireMeta = { id, model: parsed.model ?? route.target, created: Math.floor(Date.now() / 1000) };
  const turnRequest = { ...redactTurnRequest(parsed.turn, ctx.redactor), signal: abort.signal };
  let attempts = 1;
  let outputChars = 0;
  const stream = parsed.stream ? streamWriter(reply, dialect.encoder(parsed, meta), ctx) : undefined;
  const onDelta = (delta: TurnDelta) => {
    if (delta.type === 'retry') attempts++;
    else {
      outputChars += delta.text.length;
      stream?.text(delta.text);
    }
  };

  let turn: Turn;
  try {
    turn = await route.client.turn(turnRequest, onDelta);
  } catch (error) {
    call.attempts = attempts;
    stream?.stop();
    const failed = toFailure(error, ctx.redactor);
    // Closed by the client, or cut off after text went out: the provider bills it, so the key
    // pays an estimate. A failure before any output (a 429, a refused request) is not billed.
    if (abort.signal.aborted || outputChars > 0) {
      const charge = estimatedCharge(parsed.turn, outputChars, route.client.info);
      call.usage = charge.usage;
      call.cost = charge.cost;
      call.estimated = true;
      await ctx.keys.charge(admitted, charge.usage, charge.cost);
    }
    if (abort.signal.aborted)
      return finish(499, failure('internal', 'gateway.client_closed', 'the client closed the connection'));
    if (stream?.committed) {
      stream.fail(failed);
      return finish(dialect.error(failed).status, failed);
    }
    return refuse(failed);
  }

  await ctx.keys.charge(admitted, turn.usage, turn.cost);
  call.model = turn.modelId;
  call.usage = turn.usage;
  call.cost = turn.cost;
  call.attempts = turn.attempts;
  if (stream !== undefined) stream.finish(turn);
  else reply.code(200).send(dialect.body(parsed, turn, meta));
  finish(200);
}
