/** The gateway's vocabulary: what each call records, and the errors it can answer with. */
import type { Usage } from '../models/types.ts';

/** Which wire format a request spoke. */
export type GatewayApi =
  | 'openai.responses'
  | 'openai.chat'
  | 'openai.models'
  | 'anthropic.messages'
  | 'anthropic.count_tokens';

/**
 * One record per request the gateway answered, for the caller to append to the audit log. It
 * carries no prompt or answer text: only who, which model, how much and how it ended.
 */
export interface GatewayCall {
  /** Also the id of the response the client received (`resp_…`, `chatcmpl-…`, `msg_…`). */
  id: string;
  /** ISO 8601, when the request arrived. */
  time: string;
  api: GatewayApi;
  /** The owner of the virtual key; undefined when the key was missing or unknown. */
  owner: string | undefined;
  /** The key's id (`wk-` and a prefix of its hash, never the key), when the key was known. */
  keyId?: string;
  /** The key's team, when it has one (`warden serve`). */
  team?: string;
  /** The model name the client asked for. */
  requestedModel: string | undefined;
  /** The Warden model id that answered (a fallback's, when the primary failed), or that was routed to. */
  model: string | undefined;
  stream: boolean;
  /**
   * The HTTP status the client got; for a stream that failed after its headers went out, the
   * status the failure maps to (the client saw 200 and an in-band error event). 499: the client
   * went away and the model call was cancelled.
   */
  status: number;
  /** The code, and a fixed message per code: never the text the client got, which may quote the prompt. */
  error?: { code: string; message: string };
  usage: Usage;
  /** USD, when the model has a price. */
  cost: number | undefined;
  /**
   * `usage` and `cost` are Warden's estimate (request size, text streamed so far), charged to the
   * key: the call ended early (the client closed it, or it failed mid-stream) and no usage came back.
   */
  estimated?: boolean;
  durationMs: number;
  /** Model attempts, retries and fallbacks included; 0 when no model was called. */
  attempts: number;
}

/**
 * Why a request failed, independent of the wire format; each API maps it to its own status,
 * error type and body.
 */
export type GatewayErrorKind =
  | 'auth'
  | 'budget'
  | 'bad_request'
  | 'not_found'
  | 'rate_limited'
  | 'upstream'
  | 'overloaded'
  | 'internal';

export const STATUS_OF: Record<GatewayErrorKind, number> = {
  auth: 401,
  budget: 429,
  bad_request: 400,
  not_found: 404,
  rate_limited: 429,
  upstream: 502,
  overloaded: 503,
  internal: 500,
};

/** A failure on its way to the client: the Warden error code, and the kind that picks the wire error. */
export interface GatewayFailure {
  kind: GatewayErrorKind;
  code: string;
  message: string;
}
