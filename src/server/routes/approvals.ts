import type { FastifyRequest } from 'fastify';
import { ApiError, notFound } from '../api-errors.ts';
import { authorize, type ServerContext, visibleTeams } from '../context.ts';
import type { ApprovalStatus } from '../task-store.ts';
import { approvalView } from '../task-view.ts';

export function approvalHandlers(ctx: ServerContext) {
  return {
    async listApprovals(
      request: FastifyRequest<{ Querystring: { status?: ApprovalStatus; taskId?: string; limit?: number } }>,
    ) {
      const principal = ctx.principal(request);
      const { status, taskId, limit = 100 } = request.query;
      const teams = visibleTeams(principal);
      const approvals = await ctx.tasks.listApprovals({
        limit,
        ...(status ? { status } : {}),
        ...(taskId ? { taskId } : {}),
        ...(teams ? { teams } : {}),
      });
      const readable = approvals.filter(
        (a) =>
          ctx.authorizer.check(principal, 'approval.read', { kind: 'task', id: a.taskId, team: a.team })
            .allowed,
      );
      return { approvals: readable.map(approvalView) };
    },

    async decideApproval(
      request: FastifyRequest<{
        Params: { id: string };
        Body: { decision: 'allow' | 'deny'; scope?: 'once' | 'session' };
      }>,
    ) {
      const principal = ctx.principal(request);
      const approval = await ctx.tasks.getApproval(request.params.id);
      const resource = approval && { kind: 'task' as const, id: approval.taskId, team: approval.team };
      if (!approval || !resource || !ctx.authorizer.check(principal, 'approval.read', resource).allowed) {
        throw notFound(`approval "${request.params.id}"`);
      }
      authorize(ctx, request, 'approval.decide', resource);
      const decided = await ctx.tasks.decideApproval(approval.id, {
        decision: request.body.decision,
        scope: request.body.scope ?? 'once',
        by: principal.userId,
      });
      if (!decided) {
        throw new ApiError(
          409,
          'approval.closed',
          `approval "${approval.id}" is already ${approval.status === 'pending' ? 'answered' : approval.status}`,
          {
            hint: 'GET /v1/approvals?status=pending lists the open ones',
          },
        );
      }
      ctx.bus.publish(approval.taskId, { kind: 'approval', approvalId: approval.id });
      return approvalView(decided);
    },
  };
}
