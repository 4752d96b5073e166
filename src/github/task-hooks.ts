import type { Report, WardenEvent } from '../agent/events.ts';
import { type CredentialStore, createCredentialStore } from '../broker/credentials.ts';
import { messageOf } from '../errors.ts';
import type { GitHubApp, Permissions, RepositoryClient } from './app-client.ts';
import { startCheckRun, updateCheckRun } from './check-run.ts';
import { comment } from './comment.ts';
import { publishRun } from './publish.ts';
import { revParse } from './publish-git.ts';
import type { Decision } from './pull-body.ts';
import type { GitHubLink, GitHubStore } from './store.ts';

/** A task as the hooks see it (the server's task record has more). */
interface HookTask {
  id: string;
  repository: string;
}

/** Check run updates while a task runs: at most one per this interval. */
const PROGRESS_EVERY_MS = 5000;
/** Installation tokens last an hour; a client is made again before then. */
const CLIENT_FOR_MS = 45 * 60 * 1000;
const WRITE_ALL: Permissions = {
  contents: 'write',
  pull_requests: 'write',
  issues: 'write',
  checks: 'write',
};

export interface GitHubHookDeps {
  app: GitHubApp;
  store: GitHubStore;
  /** The session's stored (redacted) events. */
  events(taskId: string): Promise<WardenEvent[]>;
  /** Asks and who answered them, for the pull request. */
  approvals(taskId: string): Promise<Decision[]>;
  /** The work tree's state as a commit on `base`, kept under the task's session ref. */
  snapshot(taskId: string, root: string, base: string): Promise<{ commit: string; tree: string }>;
  receipt(taskId: string, root: string, base: string, commit: string): Promise<string>;
  verifyCommand: string;
  log: (line: string) => void;
  timeoutMs: number;
}

/**
 * The runner's hooks for tasks the GitHub App started (others pass through untouched): the clone
 * with a token for the one repository, the issue as material, a check run updated as the task
 * goes, and at the end the broker's commit, push and pull request with the receipt.
 */
export function gitHubTaskHooks(deps: GitHubHookDeps) {
  const { app, store } = deps;
  const live = new Map<
    string,
    { checkRunId: number; turns: number; commands: number; denials: number; last: string; at: number }
  >();
  const clients = new Map<string, { client: RepositoryClient; at: number }>();

  const clientFor = async (link: GitHubLink, permissions: Permissions, key: string) => {
    const held = clients.get(`${link.taskId}:${key}`);
    if (held && Date.now() - held.at < CLIENT_FOR_MS) return held.client;
    const client = await app.forRepository(link.installationId, link.repository, permissions);
    clients.set(`${link.taskId}:${key}`, { client, at: Date.now() });
    return client;
  };

  const progress = async (task: HookTask, state: NonNullable<ReturnType<typeof live.get>>) => {
    const link = await store.get(task.id);
    if (!link) return;
    const client = await clientFor(link, { checks: 'write' }, 'checks');
    await updateCheckRun(client, state.checkRunId, {
      output: {
        title: `Working: turn ${state.turns}, ${state.commands} command${state.commands === 1 ? '' : 's'}`,
        summary: `Task \`${task.id}\` for @${link.trigger.sender} (${link.trigger.url}).\n\nLast step: ${state.last || 'thinking'}. Denials so far: ${state.denials}.`,
      },
    });
  };

  const forget = (taskId: string) => {
    live.delete(taskId);
    for (const key of clients.keys()) if (key.startsWith(`${taskId}:`)) clients.delete(key);
  };

  return {
    /** The clone of a GitHub task: an installation token that reads the one repository, and its branch. */
    async cloneWith(task: HookTask): Promise<{ credentials: CredentialStore; branch: string } | undefined> {
      const link = await store.get(task.id);
      if (!link) return undefined;
      const client = await app.forRepository(link.installationId, link.repository, { contents: 'read' });
      const credentials = createCredentialStore();
      credentials.add({
        name: 'github-app',
        host: new URL(task.repository).host.toLowerCase(),
        username: 'x-access-token',
        password: client.token,
        origin: `the GitHub App's installation token for ${link.repository}`,
      });
      return { credentials, branch: link.startFrom };
    },

    async material(task: HookTask) {
      return (await store.get(task.id))?.material ?? [];
    },

    async started(task: HookTask, root: string) {
      const link = await store.get(task.id);
      if (!link) return;
      const head = await revParse(root, 'HEAD');
      if (!head) return;
      const client = await clientFor(link, { checks: 'write' }, 'checks');
      // A run the server interrupted (a restart, a drain) left its check run in progress.
      if (link.checkRunId !== undefined)
        await updateCheckRun(client, link.checkRunId, {
          status: 'completed',
          conclusion: 'neutral',
          output: {
            title: 'Interrupted',
            summary: `The server stopped under task \`${task.id}\`; it goes on in a new check run.`,
          },
        }).catch((error) =>
          deps.log(`github: task ${task.id}: the interrupted check run was not closed: ${messageOf(error)}`),
        );
      const checkRunId = await startCheckRun(client, head, {
        title: 'Working',
        summary: `Task \`${task.id}\` for @${link.trigger.sender} (${link.trigger.url}), on branch \`${link.branch}\`.`,
      });
      await store.update(task.id, { checkRunId });
      live.set(task.id, { checkRunId, turns: 0, commands: 0, denials: 0, last: '', at: Date.now() });
    },

    event(task: HookTask, event: WardenEvent) {
      const state = live.get(task.id);
      if (!state) return;
      if (event.type === 'model.response') state.turns = event.turn;
      if (event.type === 'tool.started') state.last = event.tool;
      if (event.type === 'tool.finished' && event.tool === 'shell') state.commands++;
      if (event.type === 'policy.decided' && event.decision === 'deny') state.denials++;
      if (Date.now() - state.at < PROGRESS_EVERY_MS) return;
      state.at = Date.now();
      progress(task, state).catch((error) =>
        deps.log(`github: task ${task.id}: check run not updated: ${messageOf(error)}`),
      );
    },

    async finished(task: HookTask, run: { report: Report; root: string }) {
      const link = await store.get(task.id);
      if (!link) return;
      const state = live.get(task.id);
      // Someone stopped it: what it left half done is not published.
      if (run.report.status === 'cancelled')
        return this.failed(task, { code: 'task.cancelled', message: 'cancelled' });
      try {
        const client = await clientFor(link, WRITE_ALL, 'publish');
        const events = await deps.events(task.id);
        const published = await publishRun(task, link, run, {
          client,
          events,
          decisions: await deps.approvals(task.id),
          snapshot: (root, base) => deps.snapshot(task.id, root, base),
          receipt: (root, base, commit) => deps.receipt(task.id, root, base, commit),
          verifyCommand: `${deps.verifyCommand} --rev origin/${link.branch}`,
          log: deps.log,
          timeoutMs: deps.timeoutMs,
        });
        if (published.kind === 'opened') await store.update(task.id, { pullNumber: published.pullNumber });
        if (state)
          await updateCheckRun(client, state.checkRunId, {
            status: 'completed',
            conclusion: 'neutral',
            output: {
              title:
                published.kind === 'unchanged'
                  ? 'Finished without changes'
                  : `Finished: commit ${published.commit.slice(0, 12)}`,
              summary:
                published.kind === 'unchanged'
                  ? `Task \`${task.id}\` changed nothing.`
                  : `The work is on \`${link.branch}\`: ${published.url}`,
            },
          });
      } catch (error) {
        await this.failed(task, {
          code: 'github.publish',
          message: `the work could not be published: ${messageOf(error)}`,
        });
        throw error;
      } finally {
        forget(task.id);
      }
    },

    async failed(task: HookTask, error: { code: string; message: string }) {
      const link = await store.get(task.id);
      if (!link) return;
      const state = live.get(task.id);
      forget(task.id);
      const client = await app.forRepository(link.installationId, link.repository, {
        checks: 'write',
        issues: 'write',
      });
      // Neutral: this check run sits on the commit the work started from (often the default
      // branch's head), which the task's failure says nothing about.
      if (state)
        await updateCheckRun(client, state.checkRunId, {
          status: 'completed',
          conclusion: 'neutral',
          output: {
            title: error.code === 'task.cancelled' ? 'Cancelled' : 'Failed',
            summary: `Task \`${task.id}\` did not finish (${error.code}).`,
          },
        });
      await comment(
        client,
        link.issueNumber,
        error.code === 'task.cancelled'
          ? `Warden's task \`${task.id}\` was cancelled; nothing was pushed.`
          : `Warden's task \`${task.id}\` did not finish: \`${error.code}\`. Its record is on the Warden server; an operator can look at it there.`,
      );
    },
  };
}

export type GitHubTaskHooks = ReturnType<typeof gitHubTaskHooks>;
