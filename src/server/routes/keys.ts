import { existsSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { auditKeysOf } from '../../audit/audit-keys.ts';
import { auditLogPath, verifyAuditLog } from '../../audit/index.ts';
import { ApiError, notFound } from '../api-errors.ts';
import { authorize, type ServerContext } from '../context.ts';
import { GATEWAY_LOG } from '../gateway-audit.ts';
import type { KeyRecord } from '../key-store.ts';
import type { ServerGateway } from '../server-gateway.ts';

interface KeyBody {
  owner: string;
  team?: string;
  budget?: { tokens?: number; cost?: number };
}

/** A key as the API shows it: never the key, never its hash. */
export function keyView(key: KeyRecord) {
  return {
    id: key.id,
    owner: key.owner,
    team: key.team,
    budget: {
      ...(key.budgetTokens === undefined ? {} : { tokens: key.budgetTokens }),
      ...(key.budgetCost === undefined ? {} : { cost: key.budgetCost }),
    },
    spent: key.spent,
    createdBy: key.createdBy,
    createdAt: key.createdAt,
  };
}

/**
 * The gateway's virtual keys, through the API like everything else and decided by Cedar: an admin
 * for any team, an operator for their own team's users and agents; other roles not at all.
 */
export function keyHandlers(ctx: ServerContext) {
  const gateway = (): ServerGateway => {
    if (ctx.gateway === undefined) throw notFound('the model gateway', 'path');
    return ctx.gateway;
  };

  return {
    async createKey(request: FastifyRequest<{ Body: KeyBody }>, reply: FastifyReply) {
      const principal = ctx.principal(request);
      const team = request.body.team ?? principal.team.id;
      authorize(ctx, request, 'key.issue', { kind: 'key', id: 'new', team });
      if (!(await ctx.accounts.getTeam(team))) {
        throw new ApiError(400, 'request.invalid', `team: no team "${team}"`, {
          field: 'team',
          hint: 'create it first with POST /v1/teams',
        });
      }
      const { key, record } = await gateway().keys.issue({
        owner: request.body.owner,
        team,
        budget: request.body.budget ?? {},
        createdBy: principal.userId,
      });
      ctx.log(`gateway key ${record.id} issued to ${record.owner} (team "${team}") by ${principal.userId}`);
      reply.code(201);
      return { ...keyView(record), key };
    },

    async listKeys(request: FastifyRequest<{ Querystring: { team?: string } }>) {
      const principal = ctx.principal(request);
      const team = request.query.team ?? (principal.role === 'admin' ? undefined : principal.team.id);
      authorize(ctx, request, 'key.read', { kind: 'key', id: '*', team: team ?? principal.team.id });
      const keys = await gateway().keys.list(team === undefined ? undefined : [team]);
      return { keys: keys.map(keyView) };
    },

    async revokeKey(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
      const principal = ctx.principal(request);
      const key = await gateway().keys.get(request.params.id);
      // Another team's keys are "not found", as its tasks are: ids leak nothing.
      if (!key || key.revokedAt || (principal.role !== 'admin' && key.team !== principal.team.id)) {
        throw notFound(`key "${request.params.id}"`);
      }
      authorize(ctx, request, 'key.revoke', { kind: 'key', id: key.id, team: key.team });
      await gateway().keys.revoke(key.id);
      ctx.log(`gateway key ${key.id} of ${key.owner} revoked by ${principal.userId}`);
      reply.code(204);
      return reply.send();
    },

    async verifyGatewayAudit(request: FastifyRequest) {
      authorize(ctx, request, 'gateway.audit', { kind: 'server' });
      const audit = ctx.gateway?.audit;
      if (audit !== undefined) return audit.verify();
      // Off now, but it may have run before: its log was closed with the final digest.
      const file = auditLogPath(ctx.auditDir, GATEWAY_LOG);
      if (!existsSync(file)) {
        throw new ApiError(409, 'audit.none', 'the gateway has no audit log', {
          hint: 'the log is written from the first start with a gateway: section in server.yaml',
        });
      }
      const publicKey = await auditKeysOf({ keyDir: ctx.keyDir, keys: ctx.auditKeys }).publicKey();
      const result = await verifyAuditLog(file, { publicKey });
      return result.ok
        ? { ok: true, records: result.records, digests: result.digests, open: false }
        : { ok: false, firstBad: result.firstBad, message: result.message };
    },
  };
}
