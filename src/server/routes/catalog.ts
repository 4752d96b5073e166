import type { FastifyRequest } from 'fastify';
import { explainPolicy } from '../../policy/explain.ts';
import { policyNames } from '../config.ts';
import { authorize, type ServerContext } from '../context.ts';

/** What a client chooses from when starting a task: models and policies, with their summaries. */
export function catalogHandlers(ctx: ServerContext) {
  return {
    async listModels(request: FastifyRequest) {
      authorize(ctx, request, 'catalog.read', { kind: 'server' });
      return {
        models: ctx.config.models.map((id) => ({ id, pattern: id.endsWith('*') })),
        default: ctx.config.defaultModel ?? null,
      };
    },

    async listPolicies(request: FastifyRequest) {
      authorize(ctx, request, 'catalog.read', { kind: 'server' });
      return {
        policies: policyNames(ctx.config).flatMap((name) => {
          const policy = ctx.policies.get(name);
          if (!policy) return [];
          const { text, breadth, warnings } = explainPolicy(policy);
          return [{ name, summary: text, breadth, warnings }];
        }),
      };
    },

    async getMe(request: FastifyRequest) {
      const { userId, role, team } = ctx.principal(request);
      return { user: userId, role, team: team.id };
    },
  };
}
