/**
 * A loopback stand-in for the Bedrock runtime's ConverseStream operation, speaking the real wire
 * protocol: requests must carry a valid SigV4 signature (recomputed here with the AWS SDK's own
 * signer) or a Bedrock API key, and answers are binary AWS event-stream frames. Tests point a
 * model at it with `baseURL` and observe what a real endpoint would accept or refuse.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTick } from 'node:timers/promises';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { refuseSigV4 } from '../../testing/aws-sigv4.ts';

export interface AwsTestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One event of a ConverseStream answer: its `:event-type` header and its JSON payload. */
export interface ConverseStreamEvent {
  type:
    | 'messageStart'
    | 'contentBlockStart'
    | 'contentBlockDelta'
    | 'contentBlockStop'
    | 'messageStop'
    | 'metadata';
  payload: Record<string, unknown>;
}

export type BedrockReply =
  | { kind: 'stream'; events: ConverseStreamEvent[] }
  /** An HTTP error as Bedrock sends it, e.g. 429 `ThrottlingException`. */
  | { kind: 'error'; status: number; errorType: string; message: string };

export interface ReceivedConverse {
  modelId: string;
  auth: 'sigv4' | 'api-key';
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface Rejection {
  status: number;
  errorType: string;
  message: string;
}

export interface BedrockServerOptions {
  /** The region this endpoint serves; a signature scoped to another region is refused. */
  region: string;
  /** The identity whose SigV4 signatures are accepted. */
  credentials?: AwsTestCredentials;
  /** A Bedrock API key accepted as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Answers for authenticated requests, in order. */
  replies: BedrockReply[];
}

export interface BedrockServer {
  /** `http://127.0.0.1:<port>`, to pass as the model's `baseURL`. */
  url: string;
  /** Requests that passed authentication, in arrival order. */
  received: ReceivedConverse[];
  /** Requests refused before reaching a model, in arrival order. */
  rejected: Rejection[];
  close(): Promise<void>;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const PATH = /^\/model\/([^/]+)\/converse-stream$/;
const UNRECOGNIZED: Rejection = {
  status: 403,
  errorType: 'UnrecognizedClientException',
  message: 'The security token included in the request is invalid.',
};

export async function startBedrockServer(options: BedrockServerOptions): Promise<BedrockServer> {
  const replies = [...options.replies];
  const received: ReceivedConverse[] = [];
  const rejected: Rejection[] = [];

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      sendError(response, { status: 500, errorType: 'InternalServerException', message: String(error) });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawBody = await readBody(request);
    const path = (request.url ?? '').split('?')[0] ?? '';
    const match = request.method === 'POST' ? PATH.exec(path) : null;
    if (!match?.[1]) {
      return refuse(response, {
        status: 404,
        errorType: 'UnknownOperationException',
        message: 'Unknown operation',
      });
    }
    const rejection = await authenticate(request, path, rawBody, options);
    if (rejection) return refuse(response, rejection);

    received.push({
      modelId: decodeURIComponent(match[1]),
      auth: request.headers.authorization?.startsWith('Bearer ') ? 'api-key' : 'sigv4',
      headers: request.headers,
      body: JSON.parse(rawBody) as Record<string, unknown>,
    });
    const reply = replies.shift();
    if (!reply) {
      return sendError(response, {
        status: 500,
        errorType: 'InternalServerException',
        message: 'the test server has no reply queued for this request',
      });
    }
    if (reply.kind === 'error') return sendError(response, reply);
    await sendStream(response, reply.events);
  }

  function refuse(response: ServerResponse, rejection: Rejection): void {
    rejected.push(rejection);
    sendError(response, rejection);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    rejected,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function authenticate(
  request: IncomingMessage,
  path: string,
  rawBody: string,
  options: BedrockServerOptions,
): Promise<Rejection | undefined> {
  const authorization = request.headers.authorization;
  if (authorization === undefined) {
    return {
      status: 403,
      errorType: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    };
  }
  if (authorization.startsWith('Bearer ')) {
    const accepted = options.apiKey !== undefined && authorization.slice('Bearer '.length) === options.apiKey;
    return accepted ? undefined : UNRECOGNIZED;
  }
  const refused = await refuseSigV4(request, {
    path,
    body: rawBody,
    credentials: options.credentials,
    region: options.region,
    service: 'bedrock',
  });
  return refused ? { status: 403, ...refused } : undefined;
}

function sendError(response: ServerResponse, error: Rejection): void {
  response.writeHead(error.status, {
    'content-type': 'application/json',
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': `${error.errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  });
  response.end(JSON.stringify({ message: error.message }));
}

async function sendStream(response: ServerResponse, events: ConverseStreamEvent[]): Promise<void> {
  response.writeHead(200, {
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': randomUUID(),
  });
  for (const event of events) {
    const frame = encodeEvent(event);
    // The network does not cut the stream at frame boundaries, so neither does this server:
    // each frame goes out in two writes, and the client must reassemble it.
    const cut = Math.floor(frame.length / 2);
    response.write(frame.subarray(0, cut));
    await nextTick();
    response.write(frame.subarray(cut));
    await nextTick();
  }
  response.end();
}

/** One binary event-stream message, with the `p` padding field real Bedrock adds to payloads. */
export function encodeEvent(event: ConverseStreamEvent): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: event.type },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    body: fromUtf8(JSON.stringify({ ...event.payload, p: 'abcdefghijklmnopqrstuvwxyzABCDEFGH' })),
  });
}

export interface ConverseUsage {
  inputTokens: number;
  outputTokens: number;
}

/** The events of an assistant turn that answers with text, as Bedrock streams it. */
export function textTurn(
  chunks: string[],
  usage: ConverseUsage = { inputTokens: 10, outputTokens: 5 },
): BedrockReply {
  return {
    kind: 'stream',
    events: [
      { type: 'messageStart', payload: { role: 'assistant' } },
      ...chunks.map(
        (text): ConverseStreamEvent => ({
          type: 'contentBlockDelta',
          payload: { contentBlockIndex: 0, delta: { text } },
        }),
      ),
      { type: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
      { type: 'messageStop', payload: { stopReason: 'end_turn' } },
      metadataEvent(usage),
    ],
  };
}

/** The events of an assistant turn that calls one tool, its JSON input cut into `inputChunks`. */
export function toolUseTurn(
  call: { toolUseId: string; name: string; inputChunks: string[] },
  usage: ConverseUsage = { inputTokens: 10, outputTokens: 5 },
): BedrockReply {
  return {
    kind: 'stream',
    events: [
      { type: 'messageStart', payload: { role: 'assistant' } },
      {
        type: 'contentBlockStart',
        payload: { contentBlockIndex: 0, start: { toolUse: { toolUseId: call.toolUseId, name: call.name } } },
      },
      ...call.inputChunks.map(
        (input): ConverseStreamEvent => ({
          type: 'contentBlockDelta',
          payload: { contentBlockIndex: 0, delta: { toolUse: { input } } },
        }),
      ),
      { type: 'contentBlockStop', payload: { contentBlockIndex: 0 } },
      { type: 'messageStop', payload: { stopReason: 'tool_use' } },
      metadataEvent(usage),
    ],
  };
}

function metadataEvent(usage: ConverseUsage): ConverseStreamEvent {
  return {
    type: 'metadata',
    payload: {
      usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
      metrics: { latencyMs: 321 },
    },
  };
}
