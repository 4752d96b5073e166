import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditKeysOf } from '../../audit/audit-keys.ts';
import { verifyAuditBytes } from '../../audit/index.ts';
import { ApiError } from '../api-errors.ts';
import { fileAuditLogs } from '../audit-logs.ts';
import type { ServerContext } from '../context.ts';
import { streamEvents } from '../sse.ts';
import { stillSignedIn } from '../sso/request-auth.ts';
import { readableTask } from './tasks.ts';

type EventsRequest = FastifyRequest<{
  Params: { id: string };
  Querystring: { after?: number; format?: 'sse' | 'json'; limit?: number };
  Headers: { 'last-event-id'?: string };
}>;

export function eventHandlers(ctx: ServerContext) {
  const read = (taskId: string) => async (after: number, limit: number) =>
    ctx.sessions.eventsAfter(taskId, after, limit);
  // Files under the data directory, or the shared database's rows when workers write elsewhere.
  const logs = ctx.auditLogs ?? fileAuditLogs(ctx.auditDir);
  // Open streams per API token: each holds a socket and a bus listener.
  const streams = new Map<string, number>();

  return {
    async getTaskEvents(request: EventsRequest, reply: FastifyReply) {
      const task = await readableTask(ctx, request, request.params.id);
      const header = request.headers['last-event-id'];
      const after = header === undefined ? (request.query.after ?? 0) : Number(header);
      if (request.query.format === 'json') {
        const limit = request.query.limit ?? 500;
        const events = await read(task.id)(after, limit);
        return {
          events,
          next: events.length === limit ? (events.at(-1)?.seq ?? null) : null,
          status: (await ctx.tasks.getTask(task.id))?.status ?? task.status,
        };
      }
      const principal = ctx.principal(request);
      const open = streams.get(principal.tokenId) ?? 0;
      if (open >= MAX_STREAMS_PER_TOKEN) {
        throw new ApiError(429, 'rate_limited', `this token already has ${open} event streams open`, {
          hint: 'close some first (one per task is enough), or use another token',
        });
      }
      streams.set(principal.tokenId, open + 1);
      reply.hijack();
      try {
        await streamEvents(reply.raw, {
          taskId: task.id,
          after,
          read: read(task.id),
          status: async () => (await ctx.tasks.getTask(task.id))?.status,
          bus: ctx.bus,
          heartbeatMs: ctx.heartbeatMs,
          stillAllowed: async () => {
            return (
              (await stillSignedIn(principal, ctx.accounts, ctx.sso)) &&
              ctx.authorizer.check(principal, 'task.read', { kind: 'task', id: task.id, team: task.team })
                .allowed
            );
          },
        });
      } finally {
        const left = (streams.get(principal.tokenId) ?? 1) - 1;
        if (left > 0) streams.set(principal.tokenId, left);
        else streams.delete(principal.tokenId);
      }
      return reply;
    },

    async getTaskSession(request: FastifyRequest<{ Params: { id: string } }>) {
      const task = await readableTask(ctx, request, request.params.id);
      const session = await ctx.sessions.get(task.id);
      if (!session) {
        throw new ApiError(409, 'session.none', `task "${task.id}" has no session yet`, {
          hint: 'the session is created when the task starts running',
        });
      }
      const checkpoint = await ctx.sessions.loadCheckpoint(task.id);
      return {
        id: session.id,
        status: session.status,
        model: session.model,
        createdAt: session.createdAt,
        updatedAt: session.updatedAt,
        runs: task.runs,
        // The conversation itself stays on the server: it holds what the agent read.
        checkpoint: checkpoint
          ? {
              turns: checkpoint.turns,
              lastSeq: checkpoint.lastSeq,
              messages: checkpoint.messages.length,
              usage: checkpoint.usage,
              cost: checkpoint.cost ?? null,
            }
          : null,
      };
    },

    async getTaskAudit(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
      const task = await readableTask(ctx, request, request.params.id);
      const bytes = await logs.read(task.id);
      if (!bytes) throw noLog(task.id);
      reply.header('content-type', 'application/x-ndjson');
      reply.header('content-disposition', `attachment; filename="${task.id}.audit.jsonl"`);
      return reply.send(bytes);
    },

    async verifyTaskAudit(request: FastifyRequest<{ Params: { id: string } }>) {
      const task = await readableTask(ctx, request, request.params.id);
      const bytes = await logs.read(task.id);
      if (!bytes) throw noLog(task.id);
      const publicKey = await auditKeysOf({ keyDir: ctx.keyDir, keys: ctx.auditKeys }).publicKey();
      const result = verifyAuditBytes(bytes, { publicKey, session: task.id });
      return result.ok
        ? { ok: true, records: result.records, digests: result.digests, status: task.status }
        : { ok: false, firstBad: result.firstBad, message: result.message, status: task.status };
    },
  };
}

const MAX_STREAMS_PER_TOKEN = 16;

const noLog = (id: string) =>
  new ApiError(409, 'audit.none', `task "${id}" has no audit log yet`, {
    hint: 'the log is written from the moment the task starts running',
  });
