import { isAbsolute, resolve } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadModelConfig, resolveModel } from '../../models/index.ts';
import { ApiError, asFieldError, notFound } from '../api-errors.ts';
import { BUDGET_HINT, budgetExhausted } from '../budget.ts';
import { modelAllowed, policyNames } from '../config.ts';
import { authorize, type ServerContext, visibleTeams } from '../context.ts';
import { admitRepository } from '../repository.ts';
import { admitRepositoryUrl, isRepositoryUrl, parseRepositoryUrl, underPrefix } from '../repository-url.ts';
import { type TaskLimits, type TaskRecord, type TaskStatus, TERMINAL_STATUSES } from '../task-store.ts';
import { taskView } from '../task-view.ts';
import { taskJob } from '../task-workspace.ts';

interface CreateBody {
  repository: string;
  instruction: string;
  model: string;
  policy?: string;
  limits?: TaskLimits;
}

type IdParams = { Params: { id: string } };

/** A task the caller may read; one they may not is "not found", so ids of other teams leak nothing. */
export async function readableTask(
  ctx: ServerContext,
  request: FastifyRequest,
  id: string,
): Promise<TaskRecord> {
  const task = await ctx.tasks.getTask(id);
  if (
    !task ||
    !ctx.authorizer.check(ctx.principal(request), 'task.read', { kind: 'task', id, team: task.team }).allowed
  ) {
    throw notFound(`task "${id}"`);
  }
  return task;
}

export function taskHandlers(ctx: ServerContext) {
  return {
    async createTask(request: FastifyRequest<{ Body: CreateBody }>, reply: FastifyReply) {
      const body = request.body;
      const principal = ctx.principal(request);
      const policy = body.policy ?? 'default';
      const repository = admitTaskRepository(ctx, request, body.repository, policy, 'repository');
      checkPolicyName(ctx, policy);
      checkTaskModel(ctx, body.model, repository.path, 'model');
      const exhausted = budgetExhausted(principal.team, await ctx.tasks.teamSpend(principal.team.id));
      if (exhausted) throw new ApiError(409, 'budget.exhausted', exhausted, { hint: BUDGET_HINT });
      const task = await ctx.tasks.createTask({
        team: principal.team.id,
        createdBy: principal.userId,
        repository: repository.path,
        instruction: body.instruction,
        model: body.model,
        policy,
        limits: body.limits ?? {},
      });
      await ctx.queue.enqueue(taskJob(task));
      reply.code(201);
      return taskView(task);
    },

    async listTasks(
      request: FastifyRequest<{
        Querystring: { status?: TaskStatus; team?: string; limit?: number; cursor?: string };
      }>,
    ) {
      const { status, team, limit = 50, cursor } = request.query;
      const principal = ctx.principal(request);
      const visible = visibleTeams(principal);
      const teams = team === undefined ? visible : visible && !visible.includes(team) ? [] : [team];
      const page = await ctx.tasks.listTasks({
        limit,
        ...(status ? { status: [status] } : {}),
        ...(teams ? { teams } : {}),
        ...(cursor ? { cursor } : {}),
      });
      const readable = page.tasks.filter(
        (task) =>
          ctx.authorizer.check(principal, 'task.read', { kind: 'task', id: task.id, team: task.team })
            .allowed,
      );
      return { tasks: readable.map((task) => taskView(task)), next: page.next ?? null };
    },

    async getTask(request: FastifyRequest<IdParams>) {
      return taskView(await readableTask(ctx, request, request.params.id));
    },

    async getTaskReport(request: FastifyRequest<IdParams>) {
      const task = await readableTask(ctx, request, request.params.id);
      if (!task.report) {
        throw new ApiError(
          409,
          'task.no_report',
          `task "${task.id}" is ${task.status} and has no report yet`,
          {
            hint: 'the report is written when the task ends; follow GET /v1/tasks/{id}/events',
          },
        );
      }
      return task.report;
    },

    async steerTask(request: FastifyRequest<IdParams & { Body: { text: string } }>, reply: FastifyReply) {
      const task = await readableTask(ctx, request, request.params.id);
      const principal = authorize(ctx, request, 'task.steer', { kind: 'task', id: task.id, team: task.team });
      refuseEnded(task, 'steered');
      const message = await ctx.tasks.addSteering({
        taskId: task.id,
        text: request.body.text,
        from: principal.userId,
      });
      ctx.bus.publish(task.id, { kind: 'steering' });
      reply.code(202);
      return message;
    },

    async cancelTask(request: FastifyRequest<IdParams>, reply: FastifyReply) {
      const task = await readableTask(ctx, request, request.params.id);
      authorize(ctx, request, 'task.cancel', { kind: 'task', id: task.id, team: task.team });
      refuseEnded(task, 'cancelled');
      const finishedAt = new Date().toISOString();
      if (await ctx.tasks.transition(task.id, ['queued'], 'cancelled', { finishedAt })) {
        ctx.bus.publish(task.id, { kind: 'status', status: 'cancelled' });
      } else {
        // Running: the worker stops the session at once, as Ctrl-C does, and records it cancelled.
        ctx.bus.publish(task.id, { kind: 'cancel' });
      }
      reply.code(202);
      return taskView((await ctx.tasks.getTask(task.id)) ?? task);
    },
  };
}

function refuseEnded(task: TaskRecord, verb: string): void {
  if (TERMINAL_STATUSES.has(task.status)) {
    throw new ApiError(
      409,
      'task.ended',
      `task "${task.id}" has ended (${task.status}) and cannot be ${verb}`,
    );
  }
}

/**
 * A repository a caller may start tasks in, as the server will run them: its root named by the text
 * decided by Cedar before the file system is asked (a caller who may not use a repository learns
 * nothing of what exists there), then admitted, then decided again by its real root.
 */
export function admitTaskRepository(
  ctx: ServerContext,
  request: FastifyRequest,
  text: string,
  policy: string,
  field: string,
  options: { plainDirectories?: boolean } = {},
): { path: string; root: string } {
  const principal = ctx.principal(request);
  const mayCreateIn = (root: string) =>
    authorize(ctx, request, 'task.create', {
      kind: 'task',
      id: 'new',
      team: principal.team.id,
      root,
      policy,
    });
  const named = rootNamed(text, ctx);
  if (principal.role !== 'admin') {
    if (named === undefined) {
      throw new ApiError(403, 'auth.forbidden', `${field}: not one you may start tasks in`, {
        field,
        hint: `your team's roots: ${(principal.team.repositories ?? [...ctx.config.repositories, ...ctx.config.repositoryUrls.map((p) => p.text)]).join(', ') || 'none'}`,
      });
    }
    mayCreateIn(named);
  }
  let repository: { path: string; root: string };
  try {
    if (isRepositoryUrl(text)) {
      // A URL is cloned by the broker when the task runs; until then there is no work tree.
      const admitted = admitRepositoryUrl(text, ctx.config.repositoryUrls);
      repository = { path: admitted.url, root: admitted.prefix };
    } else {
      repository = admitRepository(text, ctx.config.repositories, options);
    }
  } catch (error) {
    throw asFieldError(error, field);
  }
  // Again with links resolved: the repository may lie in another root than its text named.
  mayCreateIn(repository.root);
  return repository;
}

export function checkPolicyName(ctx: ServerContext, policy: string): void {
  if (!ctx.policies.has(policy)) {
    throw new ApiError(400, 'request.invalid', `policy: no policy named "${policy}" on this server`, {
      field: 'policy',
      hint: `choose one of: ${policyNames(ctx.config).join(', ')} (GET /v1/policies)`,
    });
  }
}

/** A model the server offers, its credentials, base URL or script file checked now, not when a worker picks it up. */
export function checkTaskModel(ctx: ServerContext, model: string, repository: string, field: string): void {
  checkModelOffered(ctx, model, field);
  try {
    resolveModel(model, {
      config: loadModelConfig(isRepositoryUrl(repository) ? ctx.cwd : repository, { env: ctx.env }),
      env: ctx.env,
      cwd: ctx.cwd,
    });
  } catch (error) {
    throw asFieldError(error, field);
  }
}

/** A model among those the server offers (`models:` in server.yaml). */
export function checkModelOffered(ctx: ServerContext, model: string, field: string): void {
  if (!modelAllowed(ctx.config, model)) {
    throw new ApiError(400, 'request.invalid', `${field}: "${model}" is not offered by this server`, {
      field,
      hint: 'GET /v1/models lists the models it offers',
    });
  }
}

/** The configured root or prefix a repository's text lies in, before any link is resolved. */
function rootNamed(repository: string, ctx: ServerContext): string | undefined {
  if (isRepositoryUrl(repository)) {
    const url = parseRepositoryUrl(repository);
    return url instanceof URL
      ? ctx.config.repositoryUrls.find((p) => underPrefix(url, p.url))?.text
      : undefined;
  }
  if (!isAbsolute(repository)) return undefined;
  const path = resolve(repository);
  return ctx.config.repositories.find((root) => path === root || path.startsWith(`${root}/`));
}
