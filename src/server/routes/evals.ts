import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { policyDigest } from '../../eval/policy-digest.ts';
import { renderHtmlReport } from '../../eval/report-html.ts';
import { type EvalStore, MAX_TRIALS } from '../../eval/store.ts';
import { summarise } from '../../eval/summary.ts';
import { type Contestant, contestantLabel, type EvalInstance, type EvalRunRecord } from '../../eval/types.ts';
import { ApiError, notFound } from '../api-errors.ts';
import { BUDGET_HINT, budgetExhausted } from '../budget.ts';
import { type ServerContext, visibleTeams } from '../context.ts';
import { enqueueTrials } from '../eval-trials.ts';
import { admitTaskRepository, checkModelOffered, checkPolicyName, checkTaskModel } from './tasks.ts';

interface CreateBody {
  suite: { name: string; file?: string; digest: string; instances: EvalInstance[] };
  contestants: Contestant[];
  repeats?: number;
  policy?: string;
}

type IdParams = { Params: { id: string } };

function evalsOf(ctx: ServerContext): EvalStore {
  if (!ctx.evals) throw new ApiError(404, 'request.not_found', 'this server keeps no evaluations');
  return ctx.evals;
}

/** A run the caller may read; one they may not is "not found", as for tasks. */
async function readableRun(ctx: ServerContext, request: FastifyRequest, id: string): Promise<EvalRunRecord> {
  const run = await evalsOf(ctx).getRun(id);
  if (
    !run ||
    !ctx.authorizer.check(ctx.principal(request), 'task.read', {
      kind: 'task',
      id,
      team: run.team ?? 'default',
    }).allowed
  ) {
    throw notFound(`evaluation "${id}"`);
  }
  return run;
}

async function progress(store: EvalStore, run: EvalRunRecord) {
  const trials = await store.trials(run.id);
  const count = (status: string) => trials.filter((trial) => trial.status === status).length;
  return { total: trials.length, done: count('done'), running: count('running'), queued: count('queued') };
}

/**
 * Evaluations on the server: each trial is a job on the same queue as tasks, run by the server and
 * every worker; creating one asks what starting a task in each instance's repository asks.
 */
export function evalHandlers(ctx: ServerContext) {
  return {
    async createEval(request: FastifyRequest<{ Body: CreateBody }>, reply: FastifyReply) {
      const store = evalsOf(ctx);
      const body = request.body;
      const principal = ctx.principal(request);
      const policy = body.policy ?? 'default';
      checkPolicyName(ctx, policy);
      const trials = body.suite.instances.length * body.contestants.length * (body.repeats ?? 1);
      if (trials > MAX_TRIALS) {
        throw new ApiError(
          400,
          'request.invalid',
          `suite.instances: ${trials} trials, more than one run may hold (${MAX_TRIALS})`,
          {
            field: 'suite.instances',
            hint: 'split the suite into several runs, or use fewer contestants or repeats',
          },
        );
      }
      const ids = new Set<string>();
      const instances = body.suite.instances.map((instance, index) => {
        const field = `suite.instances[${index}]`;
        if (ids.has(instance.id)) {
          throw new ApiError(400, 'request.invalid', `${field}.id: "${instance.id}" appears twice`, {
            field: `${field}.id`,
          });
        }
        ids.add(instance.id);
        const repository = admitTaskRepository(
          ctx,
          request,
          instance.repository,
          policy,
          `${field}.repository`,
          // A plain directory is copied into each trial's workspace, never worked in.
          { plainDirectories: true },
        );
        return { ...instance, repository: repository.path };
      });
      const labels = new Set<string>();
      body.contestants.forEach((contestant, index) => {
        const field = `contestants[${index}]`;
        if (contestant.agent !== 'warden') {
          throw new ApiError(
            400,
            'request.invalid',
            `${field}.agent: "${contestant.agent}" runs only in a local evaluation`,
            {
              field: `${field}.agent`,
              hint: "on a server every contestant is Warden's agent; run third-party agents with warden eval run without --server",
            },
          );
        }
        if (labels.has(contestantLabel(contestant))) {
          throw new ApiError(
            400,
            'request.invalid',
            `${field}: ${contestantLabel(contestant)} is named twice`,
            { field },
          );
        }
        labels.add(contestantLabel(contestant));
        // A scripted contestant's directory holds one script per instance, each read when its trial runs.
        if (isScriptDirectory(contestant.model, ctx.cwd))
          checkModelOffered(ctx, contestant.model, `${field}.model`);
        else checkTaskModel(ctx, contestant.model, instances[0]?.repository ?? ctx.cwd, `${field}.model`);
      });
      const exhausted = budgetExhausted(principal.team, await ctx.tasks.teamSpend(principal.team.id));
      if (exhausted) throw new ApiError(409, 'budget.exhausted', exhausted, { hint: BUDGET_HINT });
      const compiled = ctx.policies.get(policy);
      if (!compiled) throw new ApiError(400, 'request.invalid', `policy: no policy named "${policy}"`);
      const run = await store.createRun(
        {
          suite: {
            name: body.suite.name,
            file: body.suite.file ?? body.suite.name,
            digest: body.suite.digest,
            instances: instances.length,
          },
          contestants: body.contestants.map(({ agent, model }) => ({ agent, model })),
          repeats: body.repeats ?? 1,
          policy: { name: policy, digest: policyDigest(compiled) },
          createdBy: principal.userId,
          team: principal.team.id,
        },
        instances,
      );
      const queued = await enqueueTrials({ evals: store }, ctx.queue, run);
      reply.code(201);
      return { run, progress: { total: queued, done: 0, running: 0, queued } };
    },

    async listEvals(request: FastifyRequest<{ Querystring: { limit?: number } }>) {
      const store = evalsOf(ctx);
      const principal = ctx.principal(request);
      const teams = visibleTeams(principal);
      const runs = await store.listRuns({ limit: request.query.limit ?? 50, ...(teams ? { teams } : {}) });
      return {
        evals: await Promise.all(runs.map(async (run) => ({ run, progress: await progress(store, run) }))),
      };
    },

    async getEval(request: FastifyRequest<IdParams>) {
      const store = evalsOf(ctx);
      const run = await readableRun(ctx, request, request.params.id);
      const instances = await store.instanceIds(run.id);
      return {
        run,
        progress: await progress(store, run),
        summary: summarise(run, await store.trials(run.id), instances),
      };
    },

    async getEvalReport(request: FastifyRequest<IdParams>, reply: FastifyReply) {
      const store = evalsOf(ctx);
      const run = await readableRun(ctx, request, request.params.id);
      const instances = await store.instanceIds(run.id);
      reply.type('text/html; charset=utf-8');
      reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
      return renderHtmlReport(summarise(run, await store.trials(run.id), instances));
    },
  };
}

function isScriptDirectory(model: string, cwd: string): boolean {
  if (!model.startsWith('script:')) return false;
  return (
    statSync(resolve(cwd, model.slice('script:'.length)), { throwIfNoEntry: false })?.isDirectory() === true
  );
}
