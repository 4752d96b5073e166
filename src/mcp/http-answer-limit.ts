import { mediaTypeEssence } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { WardenError } from '../errors.ts';
import { DEFAULT_MAX_MESSAGE_BYTES } from './sandbox-transport.ts';

/** The longest MCP answer over HTTP: a JSON body, or one event of an SSE stream (as a stdio message). */
export const MAX_ANSWER_BYTES = DEFAULT_MAX_MESSAGE_BYTES;
/** OAuth metadata, a client registration, tokens: a few kilobytes each. */
export const MAX_OAUTH_ANSWER_BYTES = 1024 * 1024;

export interface AnswerLimits {
  /** The server's name, as configured: the error says which server it was. */
  server: string;
  maxAnswerBytes?: number;
  maxOAuthAnswerBytes?: number;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Every response body is counted as it is read, and the request aborted past a limit: the SDK
 * would otherwise buffer whatever a server sends (an endless SSE line took Warden's heap).
 * An SSE stream the SDK reads event by event is limited per event, so a healthy long-lived
 * stream lives on; anything read whole (JSON, an error page, OAuth metadata and tokens) is
 * limited in total. Past a limit the server is not used again: later requests fail with the
 * same error, and a request waiting on the stream that went over is answered with it at once.
 */
export function limitAnswers(inner: FetchLike, limits: AnswerLimits): FetchLike {
  const maxAnswer = limits.maxAnswerBytes ?? MAX_ANSWER_BYTES;
  const maxOAuth = limits.maxOAuthAnswerBytes ?? MAX_OAUTH_ANSWER_BYTES;
  let stopped: WardenError | undefined;
  return async (input, init) => {
    if (stopped !== undefined) throw stopped;
    const response = await inner(input, init);
    if (response.body === null) return response;
    // The SDK asks for an event stream on every MCP request, and never for OAuth's.
    const mcp = new Headers(init?.headers).get('accept')?.includes('text/event-stream') === true;
    const limit = mcp ? maxAnswer : maxOAuth;
    const over = (): WardenError => {
      stopped ??= tooLong(limits.server, mcp ? undefined : new URL(input).origin, limit);
      return stopped;
    };
    // As the SDK decides: an ok event stream is read event by event; all else is read whole.
    const events =
      mcp && response.ok && mediaTypeEssence(response.headers.get('content-type')) === 'text/event-stream';
    const body = events
      ? eventLimited(response.body, limit, over, requestIds(init?.body))
      : response.body.pipeThrough(totalLimit(limit, over));
    return rewrapped(response, body);
  };
}

function tooLong(server: string, oauthOrigin: string | undefined, limit: number): WardenError {
  const size = limit % (1024 * 1024) === 0 ? `${limit / (1024 * 1024)} MiB` : `${limit} bytes`;
  const what = oauthOrigin === undefined ? 'an answer' : `an OAuth answer (from ${oauthOrigin})`;
  return new WardenError(
    'mcp.server_protocol',
    `MCP server "${server}" sent ${what} longer than ${size}; Warden stopped reading it and no longer uses the server this session`,
    { hint: 'ask for less at a time, or check the server: an MCP answer this large is a fault or an attack' },
  );
}

function totalLimit(limit: number, over: () => WardenError): TransformStream<Uint8Array, Uint8Array> {
  let read = 0;
  return new TransformStream({
    transform(chunk, controller) {
      read += chunk.byteLength;
      if (read > limit) controller.error(over());
      else controller.enqueue(chunk);
    },
  });
}

/**
 * The stream passed on one whole event at a time (an event ends at a blank line: `\n\n`, `\r\r`,
 * `\r\n\r\n`), holding at most `limit` bytes of the event being read. Past it, what was held is
 * dropped and the source cancelled, so the SDK's parser is left between events: the requests of
 * this POST are answered there with the error and the stream ends; a stream with no request
 * waiting (the GET stream) fails with the error once the events before it are read.
 */
function eventLimited(
  source: ReadableStream<Uint8Array>,
  limit: number,
  over: () => WardenError,
  waiting: readonly (string | number)[],
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const ends = eventEnds();
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  let failure: WardenError | undefined;
  const stop = (controller: ReadableStreamDefaultController<Uint8Array>, passed: boolean) => {
    held = [];
    const error = over();
    void reader.cancel(error).catch(() => {});
    if (waiting.length === 0) {
      // An error drops what is queued: it waits for the events already passed to be read.
      if (passed) failure = error;
      else controller.error(error);
      return;
    }
    const encoder = new TextEncoder();
    for (const id of waiting) {
      const answer = {
        jsonrpc: '2.0',
        id,
        error: { code: ErrorCode.ConnectionClosed, message: error.message },
      };
      controller.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(answer)}\n\n`));
    }
    controller.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (failure !== undefined) return controller.error(failure);
        let passed = false;
        while (!passed) {
          const { value: chunk, done } = await reader.read();
          if (done) {
            for (const part of held) controller.enqueue(part);
            return controller.close();
          }
          let from = 0;
          for (const end of ends(chunk)) {
            if (heldBytes + end - from > limit) return stop(controller, passed);
            for (const part of held) controller.enqueue(part);
            controller.enqueue(chunk.subarray(from, end));
            passed = true;
            held = [];
            heldBytes = 0;
            from = end;
          }
          if (from < chunk.length) {
            held.push(chunk.subarray(from));
            heldBytes += chunk.length - from;
            if (heldBytes > limit) return stop(controller, passed);
          }
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    // Pulled only when its reader waits on an empty queue: a failure is delivered after the events.
    { highWaterMark: 0 },
  );
}

/**
 * Where events end in each chunk of a stream, in turn: the offsets just past each blank line.
 * Lines end in LF, CR or CRLF, possibly split across chunks.
 */
function eventEnds(): (chunk: Uint8Array) => number[] {
  let lineStart = true;
  let afterCR = false;
  return (chunk) => {
    const ends: number[] = [];
    if (chunk.length === 0) return ends;
    if (chunk.indexOf(CR) === -1) {
      // The common case, scanned natively: LF only.
      for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
        if (i === 0 && afterCR) continue;
        if (i === 0 ? lineStart : chunk[i - 1] === LF) ends.push(i + 1);
      }
      lineStart = chunk[chunk.length - 1] === LF;
      afterCR = false;
      return ends;
    }
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === LF && afterCR) {
        afterCR = false;
        continue;
      }
      afterCR = byte === CR;
      if (byte !== LF && byte !== CR) lineStart = false;
      else if (!lineStart) lineStart = true;
      else ends.push(i + 1);
    }
    return ends;
  };
}

/** The ids of the JSON-RPC requests a POST carries: they wait on its answer. */
function requestIds(body: unknown): (string | number)[] {
  if (typeof body !== 'string') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [];
  }
  const ids: (string | number)[] = [];
  for (const message of Array.isArray(parsed) ? parsed : [parsed]) {
    if (typeof message !== 'object' || message === null || !('method' in message)) continue;
    const id = (message as { id?: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') ids.push(id);
  }
  return ids;
}

/** The response with its body read through the limit; the SDK reads its URL when it explains a redirect. */
function rewrapped(response: Response, body: ReadableStream<Uint8Array>): Response {
  const limited = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(limited, 'url', { value: response.url });
  Object.defineProperty(limited, 'redirected', { value: response.redirected });
  return limited;
}
