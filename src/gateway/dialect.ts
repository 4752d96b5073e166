/** What each wire format (OpenAI Responses, Chat Completions, Anthropic Messages) provides. */
import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { WardenError } from '../errors.ts';
import type { Turn, TurnRequest } from '../models/types.ts';
import type { GatewayApi, GatewayFailure } from './types.ts';

/** A client's request, read into Warden's terms. */
export interface ParsedRequest {
  model: string | undefined;
  stream: boolean;
  turn: Omit<TurnRequest, 'signal'>;
}

/** What the stream and the response echo back. */
export interface WireMeta {
  id: string;
  /** The name the client asked for, echoed as the providers do. */
  model: string;
  /** Unix seconds. */
  created: number;
}

/** One answer as a stream of SSE text, in the client's format. */
export interface StreamEncoder {
  /** The events that open the stream. */
  open(): string;
  text(delta: string): string;
  /** Everything after the text: tool calls, the stop reason, usage, the end. */
  finish(turn: Turn): string;
  /** A failure after the stream began: an in-band error event, then the end. */
  fail(failure: GatewayFailure): string;
  /** Keeps a quiet stream's connection alive. */
  keepalive(): string;
}

export interface Dialect<P extends ParsedRequest = ParsedRequest> {
  api: GatewayApi;
  newId(): string;
  parse(body: unknown): P;
  encoder(parsed: P, meta: WireMeta): StreamEncoder;
  body(parsed: P, turn: Turn, meta: WireMeta): unknown;
  /** Status and body of an error in this API's format. */
  error(failure: GatewayFailure): { status: number; headers?: Record<string, string>; body: unknown };
}

export function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

export function sse(event: string | undefined, data: unknown): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${payload}\n\n`;
}

/** An SSE comment: ignored by every parser, enough to keep proxies and idle timers happy. */
export const SSE_COMMENT = ': keepalive\n\n';

function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`),
    '',
  );
}

/** Validate a request body; a bad one says which field and why. */
export function parseWith<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const [issue] = parsed.error.issues;
  const where = jsonPath(issue?.path ?? []).replace(/^\./, '');
  throw new WardenError(
    'gateway.request',
    `${what}: ${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid request'}`,
  );
}

/**
 * Arguments of a tool call as a JSON object's text. Models (and hostile scripts) may send
 * arguments that do not parse; APIs that carry arguments as an object cannot pass those on,
 * so they become `{}` — as Warden's own prompt conversion does — and the client's tool
 * reports the missing arguments to the model.
 */
export function objectArguments(raw: string): string {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return raw;
  } catch {
    // falls through to the empty object
  }
  return '{}';
}

/** Text of an error for a client: one line, no stack. */
export function failureOf(error: unknown): { code: string; message: string } {
  if (error instanceof WardenError) return { code: error.code, message: error.describe() };
  return { code: 'gateway.internal', message: error instanceof Error ? error.message : String(error) };
}
