import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance } from 'fastify';
import { messageOf } from '../errors.ts';

/** Who a request comes from: `keyId` binds a session to the key that opened it. */
export interface EndpointCaller {
  keyId: string;
}

/** One client session's server, with what it holds open (its upstream connections). */
export interface OpenedSession {
  server: Server;
  close(): Promise<void>;
}

export interface McpEndpoint {
  /** Answers one HTTP request to the endpoint; `body` is the parsed JSON of a POST. */
  handle(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void>;
  /** Open client sessions. */
  sessions(): number;
  close(): Promise<void>;
}

interface Session {
  id: string;
  keyId: string;
  transport: StreamableHTTPServerTransport;
  opened: OpenedSession;
  lastUsed: number;
}

const DEFAULT_IDLE_MS = 30 * 60_000;
const DEFAULT_SESSIONS_PER_KEY = 8;
/** Largest POST body: the SDK transport's own default. */
export const MCP_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * The gateway's MCP endpoint over Streamable HTTP, stateful: `initialize` opens a session (its own
 * upstream connections and server, from `open`), later requests name it in `Mcp-Session-Id`. Every
 * request is authenticated again — a revoked key stops at once — and a session answers only the
 * key that opened it (another key gets "not found", as for a session that never was). Sessions a
 * client forgets to end are closed after `idleMs`, and a key holds at most `sessionsPerKey`: a new
 * one closes its least recently used.
 */
export function createMcpEndpoint<C extends EndpointCaller>(options: {
  authenticate(req: IncomingMessage): Promise<C | undefined>;
  open(caller: C): Promise<OpenedSession>;
  idleMs?: number;
  sessionsPerKey?: number;
  log?: (line: string) => void;
}): McpEndpoint {
  const sessions = new Map<string, Session>();
  const idleMs = options.idleMs ?? DEFAULT_IDLE_MS;
  const perKey = options.sessionsPerKey ?? DEFAULT_SESSIONS_PER_KEY;
  const drop = (session: Session) => {
    if (sessions.get(session.id) !== session) return;
    sessions.delete(session.id);
    void session.transport.close();
    session.opened
      .close()
      .catch((error: unknown) => options.log?.(`mcp: closing a session: ${messageOf(error)}`));
  };
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const session of sessions.values()) if (now - session.lastUsed > idleMs) drop(session);
    },
    Math.min(idleMs, 60_000),
  );
  sweep.unref();

  return {
    async handle(req, res, body) {
      const caller = await options.authenticate(req);
      if (caller === undefined)
        return jsonError(
          res,
          401,
          'invalid or missing virtual key: send the wk-… key Warden issued as a bearer token (Authorization: Bearer wk-…)',
          { 'www-authenticate': 'Bearer realm="warden"' },
        );
      const named = req.headers['mcp-session-id'];
      if (typeof named === 'string') {
        const session = sessions.get(named);
        if (session === undefined || session.keyId !== caller.keyId)
          return jsonError(res, 404, 'Session not found: start a new one with initialize');
        session.lastUsed = Date.now();
        await session.transport.handleRequest(req, res, body);
        return;
      }
      if (req.method !== 'POST' || !isInitializeRequest(body))
        return jsonError(
          res,
          400,
          'Bad Request: no Mcp-Session-Id: start a session with an initialize request',
        );

      const mine = [...sessions.values()].filter((session) => session.keyId === caller.keyId);
      mine.sort((a, b) => a.lastUsed - b.lastUsed);
      for (const old of mine.slice(0, Math.max(mine.length - perKey + 1, 0))) drop(old);
      const opened = await options.open(caller);
      const session: Session = {
        id: '',
        keyId: caller.keyId,
        opened,
        lastUsed: Date.now(),
        transport: new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            session.id = id;
            sessions.set(id, session);
          },
        }),
      };
      opened.server.onclose = () => drop(session);
      await opened.server.connect(session.transport);
      await session.transport.handleRequest(req, res, body);
      // An initialize the transport refused opened no session: nothing will ever name it.
      if (session.id === '') {
        await session.transport.close();
        await opened.close();
      }
    },
    sessions: () => sessions.size,
    async close() {
      clearInterval(sweep);
      await Promise.allSettled(
        [...sessions.values()].map(async (session) => {
          sessions.delete(session.id);
          await session.transport.close();
          await session.opened.close();
        }),
      );
    },
  };
}

/** Routes GET, POST and DELETE of `path` to the endpoint; Fastify parses the body, the endpoint answers. */
export function mountMcpEndpoint(app: FastifyInstance, path: string, endpoint: McpEndpoint): void {
  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: path,
    bodyLimit: MCP_BODY_LIMIT,
    handler: async (request, reply) => {
      reply.hijack();
      try {
        await endpoint.handle(request.raw, reply.raw, request.body);
      } catch (error) {
        request.log.error(error);
        if (!reply.raw.headersSent) jsonError(reply.raw, 500, `the MCP gateway failed: ${messageOf(error)}`);
        else reply.raw.end();
      }
    },
  });
}

function jsonError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(
    JSON.stringify({ jsonrpc: '2.0', error: { code: status === 404 ? -32001 : -32000, message }, id: null }),
  );
}
