import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditLogPath, PUBLIC_KEY_FILE, verifyAuditLog } from '../../audit/index.ts';
import { ApiError } from '../api-errors.ts';
import type { ServerContext } from '../context.ts';
import { streamEvents } from '../sse.ts';
import { readableTask } from './tasks.ts';

type EventsRequest = FastifyRequest<{
  Params: { id: string };
  Querystring: { after?: number; format?: 'sse' | 'json'; limit?: number };
  Headers: { 'last-event-id'?: string };
}>;

export function eventHandlers(ctx: ServerContext) {
  const read = (taskId: string) => async (after: number, limit: number) =>
    ctx.sessions.eventsAfter(taskId, after, limit);

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
      reply.hijack();
      await streamEvents(reply.raw, {
        taskId: task.id,
        after,
        read: read(task.id),
        status: async () => (await ctx.tasks.getTask(task.id))?.status,
        bus: ctx.bus,
        heartbeatMs: ctx.heartbeatMs,
      });
      return reply;
    },

    async getTaskAudit(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
      const task = await readableTask(ctx, request, request.params.id);
      const file = auditLogPath(ctx.auditDir, task.id);
      if (!existsSync(file)) throw noLog(task.id);
      reply.header('content-type', 'application/x-ndjson');
      reply.header('content-disposition', `attachment; filename="${task.id}.audit.jsonl"`);
      return reply.send(createReadStream(file));
    },

    async verifyTaskAudit(request: FastifyRequest<{ Params: { id: string } }>) {
      const task = await readableTask(ctx, request, request.params.id);
      const file = auditLogPath(ctx.auditDir, task.id);
      if (!existsSync(file)) throw noLog(task.id);
      const publicKey = await readFile(join(ctx.keyDir, PUBLIC_KEY_FILE), 'utf8');
      const result = await verifyAuditLog(file, { publicKey });
      return result.ok
        ? { ok: true, records: result.records, digests: result.digests, status: task.status }
        : { ok: false, firstBad: result.firstBad, message: result.message, status: task.status };
    },
  };
}

const noLog = (id: string) =>
  new ApiError(409, 'audit.none', `task "${id}" has no audit log yet`, {
    hint: 'the log is written from the moment the task starts running',
  });
