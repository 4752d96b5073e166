import { realpathSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../account-store.ts';
import { ApiError, notFound } from '../api-errors.ts';
import { issueToken, SSO_USER_PREFIX } from '../auth.ts';
import { policyNames } from '../config.ts';
import { authorize, type ServerContext } from '../context.ts';

interface TeamBody {
  id: string;
  budget?: { tokens?: number; cost?: number };
  concurrency?: number;
  repositories?: string[];
  policies?: string[];
}

/** Users, teams and tokens: an admin's business, like every other decision, checked by Cedar. */
export function accountHandlers(ctx: ServerContext) {
  const manage = (request: FastifyRequest) => authorize(ctx, request, 'accounts.manage', { kind: 'server' });

  return {
    async createToken(
      request: FastifyRequest<{ Body: { user: string; name?: string } }>,
      reply: FastifyReply,
    ) {
      manage(request);
      const user = await ctx.accounts.getUser(request.body.user);
      if (!user)
        throw new ApiError(400, 'request.invalid', `user: no user "${request.body.user}"`, { field: 'user' });
      if (user.id.startsWith(SSO_USER_PREFIX))
        throw new ApiError(
          400,
          'request.invalid',
          `user: "${user.id}" signs in with single sign-on and gets no API token`,
          {
            field: 'user',
            hint: 'make an API user for automation (POST /v1/users); its access does not depend on the identity provider',
          },
        );
      const issued = issueToken();
      const record = await ctx.accounts.createToken({
        id: issued.id,
        userId: user.id,
        name: request.body.name ?? 'api',
        hash: issued.hash,
      });
      reply.code(201);
      return {
        id: record.id,
        token: issued.token,
        user: user.id,
        name: record.name,
        createdAt: record.createdAt,
      };
    },

    async revokeToken(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) {
      manage(request);
      if (!(await ctx.accounts.revokeToken(request.params.id)))
        throw notFound(`token "${request.params.id}"`);
      reply.code(204);
      return reply.send();
    },

    async createUser(
      request: FastifyRequest<{ Body: { id: string; team: string; role: Role } }>,
      reply: FastifyReply,
    ) {
      manage(request);
      const { id, team, role } = request.body;
      if (!(await ctx.accounts.getTeam(team))) {
        throw new ApiError(400, 'request.invalid', `team: no team "${team}"`, {
          field: 'team',
          hint: 'create it first with POST /v1/teams',
        });
      }
      if (await ctx.accounts.getUser(id))
        throw new ApiError(409, 'conflict', `user "${id}" exists`, { field: 'id' });
      reply.code(201);
      return ctx.accounts.createUser({ id, team, role });
    },

    async listUsers(request: FastifyRequest) {
      manage(request);
      return { users: await ctx.accounts.listUsers() };
    },

    async createTeam(request: FastifyRequest<{ Body: TeamBody }>, reply: FastifyReply) {
      manage(request);
      const body = request.body;
      if (await ctx.accounts.getTeam(body.id)) {
        throw new ApiError(409, 'conflict', `team "${body.id}" exists`, { field: 'id' });
      }
      const prefixes = ctx.config.repositoryUrls.map((prefix) => prefix.text);
      const repositories = body.repositories?.map((path, index) => {
        // A URL prefix is listed as the config normalised it; a root by its real path.
        const real =
          prefixes.find((prefix) => prefix === path || prefix === safeHref(path)) ?? safeRealpath(path);
        if (!real || !(ctx.config.repositories.includes(real) || prefixes.includes(real))) {
          throw new ApiError(
            400,
            'request.invalid',
            `repositories[${index}]: ${path} is not one of the server's roots`,
            {
              field: `repositories[${index}]`,
              hint: `the server's roots: ${[...ctx.config.repositories, ...prefixes].join(', ') || 'none'}`,
            },
          );
        }
        return real;
      });
      const known = policyNames(ctx.config);
      body.policies?.forEach((name, index) => {
        if (!known.includes(name)) {
          throw new ApiError(400, 'request.invalid', `policies[${index}]: no policy named "${name}"`, {
            field: `policies[${index}]`,
            hint: `the server's policies: ${known.join(', ')}`,
          });
        }
      });
      reply.code(201);
      return ctx.accounts.createTeam({
        id: body.id,
        budgetTokens: body.budget?.tokens,
        budgetCost: body.budget?.cost,
        concurrency: body.concurrency,
        repositories,
        policies: body.policies,
      });
    },

    async listTeams(request: FastifyRequest) {
      manage(request);
      const teams = await ctx.accounts.listTeams();
      return {
        teams: await Promise.all(
          teams.map(async (team) => ({ ...team, spent: await ctx.tasks.teamSpend(team.id) })),
        ),
      };
    },
  };
}

function safeRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function safeHref(text: string): string | undefined {
  try {
    return new URL(text).href;
  } catch {
    return undefined;
  }
}
