import type { WardenEvent } from '../agent/events.ts';
import { auditKeysOf } from '../audit/audit-keys.ts';
import { WardenError } from '../errors.ts';
import { type GitHubApp, openGitHubApp } from '../github/app-client.ts';
import { refusalMemory, type TaskDesk } from '../github/intake.ts';
import type { Decision } from '../github/pull-body.ts';
import { gitHubTaskHooks } from '../github/task-hooks.ts';
import { webhookRoute } from '../github/webhook-route.ts';
import { createRedactor, secretsInEnv } from '../guard/redactor.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import { finalDigestOf, makeReceipt, policyDigest, snapshotCommit } from '../receipt/index.ts';
import type { Backend } from './backend.ts';
import { budgetExhausted } from './budget.ts';
import { modelAllowed, type ServerConfig } from './config.ts';
import { parseUrlPrefix, type UrlPrefix } from './repository-url.ts';
import { type ApprovalRecord, TERMINAL_STATUSES } from './task-store.ts';
import { taskJob } from './task-workspace.ts';

/** Events read back to write the pull request: a session has far fewer. */
const MAX_EVENTS = 100_000;
/** How long the broker's push may take. */
const PUSH_TIMEOUT_MS = 10 * 60 * 1000;

export interface GitHubIntegration {
  app: GitHubApp;
  hooks: ReturnType<typeof gitHubTaskHooks>;
  /** `POST /github/webhook`, registered by the API server (workers take no webhooks). */
  route?: ReturnType<typeof webhookRoute>;
}

/**
 * The GitHub App of `server.yaml`, put together from the server's parts: the webhook route starts
 * tasks through the same checks as the API (team, budget, policy, model), and the runner's hooks
 * publish their work. Undefined when there is no `github:` section.
 */
export async function openGitHubIntegration(options: {
  config: ServerConfig;
  backend: Backend;
  policies: ReadonlyMap<string, CompiledPolicy>;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  role: 'server' | 'worker';
}): Promise<GitHubIntegration | undefined> {
  const { config, backend, policies, env, log } = options;
  const github = config.github;
  if (!github) return undefined;
  const app = openGitHubApp(github);
  const { tasks, accounts, sessions } = backend;
  const signer = await auditKeysOf(backend.audit).signer();

  const hooks = gitHubTaskHooks({
    app,
    store: backend.github,
    events: (taskId) => sessions.eventsAfter(taskId, 0, MAX_EVENTS),
    approvals: async (taskId) =>
      decisionsOf(
        await tasks.listApprovals({ taskId, limit: 500 }),
        await sessions.eventsAfter(taskId, 0, MAX_EVENTS),
      ),
    snapshot: async (taskId, root, base) => {
      // GitHub runs no push or pull_request workflow for a head commit that says [skip ci].
      const message = `Warden task ${taskId}${github.runCi ? '' : '\n\n[skip ci]'}`;
      const made = await snapshotCommit(root, { base, session: taskId, message });
      return { commit: made.commit, tree: made.tree };
    },
    async receipt(taskId, root, base, commit) {
      const task = await tasks.getTask(taskId);
      if (!task) throw new Error(`task ${taskId} is gone`);
      const policy = policies.get(task.policy);
      if (!policy) throw new Error(`the server has no policy named "${task.policy}" any more`);
      const log = await backend.auditLogs.read(taskId);
      if (!log) throw new WardenError('receipt.audit', `task ${taskId} has no audit log`);
      const models = Object.keys(task.report?.byModel ?? {});
      const envelope = await makeReceipt(
        {
          repository: task.repository,
          root,
          base,
          commit,
          session: taskId,
          policy: { name: task.policy, digest: policyDigest(policy) },
          models: models.length > 0 ? models : [task.model],
          audit: finalDigestOf(log, `the audit log of task ${taskId}`, taskId),
        },
        signer,
      );
      return JSON.stringify(envelope, null, 2);
    },
    verifyCommand: 'warden receipt verify receipt.json --repo . --key warden-audit.pub.pem',
    log,
    timeoutMs: PUSH_TIMEOUT_MS,
  });
  if (options.role === 'worker') return { app, hooks };

  const secret = env[github.webhookSecretEnv];
  if (!secret)
    throw new WardenError('server.config', `github: ${github.webhookSecretEnv} is not set`, {
      where: config.source,
      hint: `export ${github.webhookSecretEnv} with the webhook secret you gave the App on GitHub`,
    });
  const redactor = createRedactor();
  redactor.addKnown(secretsInEnv(env));
  const desk: TaskDesk = {
    async start(request) {
      const team = await accounts.getTeam(request.team);
      if (!team) {
        log(`github: github.repositories names team "${request.team}", which does not exist`);
        return { refused: 'the team this repository belongs to does not exist on the server' };
      }
      const exhausted = budgetExhausted(team, await tasks.teamSpend(team.id));
      if (exhausted) return { refused: `the team's budget is spent (${exhausted})` };
      if (!policies.has(request.policy)) return { refused: `the server has no policy "${request.policy}"` };
      const model = request.model ?? config.defaultModel;
      if (!model || !modelAllowed(config, model)) {
        log(
          `github: no model offered for ${request.repository}: set default_model, or model: in github.repositories`,
        );
        return { refused: 'no model is set for this repository' };
      }
      const task = await tasks.createTask({
        team: team.id,
        createdBy: request.createdBy,
        repository: request.repository,
        instruction: request.instruction,
        model,
        policy: request.policy,
        limits: {},
      });
      await request.link(task.id);
      await backend.queue.enqueue(taskJob(task));
      return { taskId: task.id };
    },
    async unfinished(taskId) {
      const task = await tasks.getTask(taskId);
      return task !== undefined && !TERMINAL_STATUSES.has(task.status);
    },
  };
  return {
    app,
    hooks,
    route: webhookRoute({
      refusals: refusalMemory({ spanMs: 24 * 60 * 60 * 1000, max: 10_000 }),
      app,
      store: backend.github,
      desk,
      secret,
      redact: (text) => redactor.redact(text),
      log,
    }),
  };
}

/**
 * The clone URLs of the App's repositories, as prefixes a task's repository is admitted under on
 * every run (the API's own `repository_urls` are not widened by them).
 */
export function gitHubPrefixes(config: ServerConfig): UrlPrefix[] {
  const github = config.github;
  if (!github) return [];
  return github.repositories.flatMap((route) => {
    const [owner, name] = route.pattern.split('/');
    const prefix = parseUrlPrefix(
      name === '*' ? `${github.webUrl}/${owner}/` : `${github.webUrl}/${owner}/${name}.git`,
    );
    return 'problem' in prefix ? [] : [prefix];
  });
}

/** Every ask and who answered it, then every denial the policy made on its own. */
function decisionsOf(approvals: ApprovalRecord[], events: WardenEvent[]): Decision[] {
  const asked: Decision[] = approvals.map((a) => ({
    tool: a.tool,
    summary: a.summary,
    outcome:
      a.status === 'allowed'
        ? 'allowed'
        : a.status === 'denied'
          ? 'denied'
          : a.status === 'expired'
            ? 'expired'
            : 'pending',
    ...(a.decidedBy ? { by: a.decidedBy } : {}),
    asked: true,
  }));
  const denied: Decision[] = events.flatMap((e) =>
    e.type === 'policy.decided' && e.decision === 'deny'
      ? [{ tool: e.tool, summary: e.reason, outcome: 'denied' as const, asked: false }]
      : [],
  );
  return [...asked, ...denied];
}
