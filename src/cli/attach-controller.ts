import type { WardenEvent } from '../agent/events.ts';
import { messageOf, WardenError } from '../errors.ts';
import type { ApprovalAnswer } from '../policy/approvals.ts';
import type { ServerClient } from './server-client.ts';
import { followTaskEvents } from './task-events.ts';
import { ControllerHub } from './tui/controller-hub.ts';
import type {
  CommandOutput,
  ControllerState,
  PendingApproval,
  SessionCommands,
  SessionController,
} from './tui/session-controller.ts';

/** A task as `GET /v1/tasks/{id}` returns it: the fields a viewer uses. */
export interface ServedTask {
  id: string;
  status: string;
  repository: string;
  model: string;
  policy: string;
  tokens: number;
  cost: number | null;
}

interface ServedApproval {
  id: string;
  callId: string;
  tool: string;
  summary: string;
  reason: string;
  status: string;
}

const ENDED = new Set(['succeeded', 'failed', 'cancelled']);

export interface RemoteController extends SessionController {
  readonly taskId: string;
  /** Resolves with the task's final status once it ends (or undefined when closed before). */
  readonly ended: Promise<string | undefined>;
}

/**
 * A served task as a SessionController (`warden attach TASK`): its events over SSE (history, then
 * live), approvals answered through `/v1/approvals`, a message as steering (`/messages`), Esc as
 * cancel. A served task runs on the server, not here: closing the viewer detaches, the task goes on.
 */
export async function attachTask(client: ServerClient, taskId: string): Promise<RemoteController> {
  const task = await client.call<ServedTask>('GET', `/v1/tasks/${encodeURIComponent(taskId)}`);
  const path = `/v1/tasks/${encodeURIComponent(task.id)}`;
  const stop = new AbortController();
  const requested = new Map<string, { tool: string; args: unknown }>();
  let status = task.status;
  const hub = new ControllerHub({
    busy: !ENDED.has(status),
    ...(ENDED.has(status) ? { ended: status } : {}),
    approvals: [],
    queued: [],
    info: {
      model: task.model,
      policy: task.policy,
      // The server's sandbox and network rules apply; the client does not see them.
      sandbox: 'on the server',
      network: "network per the server's policy",
      workspace: task.repository,
      remote: true,
    },
  });
  const update = (change: Partial<ControllerState>): void => hub.update(change);

  const pending = async (): Promise<ServedApproval[]> =>
    (
      await client.call<{ approvals: ServedApproval[] }>(
        'GET',
        `/v1/approvals?status=pending&taskId=${encodeURIComponent(task.id)}`,
      )
    ).approvals;
  // The event comes before the server's record of the question: its summary is filled in once read.
  const refreshApprovals = async (): Promise<void> => {
    let served = new Map<string, ServedApproval>();
    for (let attempt = 0; attempt < 10 && !stop.signal.aborted; attempt++) {
      served = new Map((await pending().catch(() => [])).map((a) => [a.callId, a]));
      if (hub.state.approvals.every((a) => served.has(a.callId))) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    update({
      approvals: hub.state.approvals.map((a) => {
        const s = served.get(a.callId);
        return s ? { ...a, summary: s.summary, reason: s.reason } : a;
      }),
    });
  };

  const onEvent = (event: WardenEvent): void => {
    switch (event.type) {
      case 'session.started':
        update({ info: { ...hub.state.info, sessionId: event.session, model: event.model } });
        break;
      case 'tool.requested':
        requested.set(event.callId, { tool: event.tool, args: event.args });
        break;
      case 'approval.requested': {
        const call = requested.get(event.callId);
        const approval: PendingApproval = {
          callId: event.callId,
          tool: event.tool,
          summary: `${event.tool}: ${describe(call?.args)}`,
          reason: event.reason,
        };
        update({ approvals: [...hub.state.approvals.filter((a) => a.callId !== event.callId), approval] });
        void refreshApprovals();
        break;
      }
      case 'approval.resolved':
        update({ approvals: hub.state.approvals.filter((a) => a.callId !== event.callId) });
        break;
      case 'user.message': {
        const at = hub.state.queued.indexOf(event.text);
        if (at >= 0) update({ queued: hub.state.queued.filter((_, i) => i !== at) });
        break;
      }
      case 'session.finished':
        update({ busy: false, approvals: [] });
        break;
    }
    hub.emit(event);
  };

  const ended = followTaskEvents(client, task.id, {
    onEvent,
    onEnd: (final) => {
      status = final;
      update({ busy: false, approvals: [], queued: [], ended: final });
    },
    onReconnect: (problem) => update({ error: `${problem}; reconnecting…` }),
    onResumed: () => update({ error: undefined }),
    signal: stop.signal,
  }).then(
    () => (ENDED.has(status) ? status : undefined),
    (error: unknown) => {
      update({ busy: false, error: messageOf(error) });
      throw error;
    },
  );
  // Read by `ended`'s consumer; a rejection nobody awaits yet must not end the process.
  ended.catch(() => {});

  const commands: SessionCommands = {
    async cost(): Promise<CommandOutput> {
      const now = await client.call<ServedTask>('GET', path);
      const cost = now.cost === null ? 'n/a (no price for this model)' : `$${now.cost.toFixed(4)}`;
      return { title: 'Cost so far', text: `tokens ${now.tokens} · cost ${cost}`, ok: true };
    },
    async audit(): Promise<CommandOutput> {
      const result = await client.call<{
        ok: boolean;
        records?: number;
        firstBad?: number;
        message?: string;
      }>('GET', `${path}/audit/verify`);
      return result.ok
        ? {
            title: 'Audit log verified',
            text: `${result.records} records, chain and signatures intact`,
            ok: true,
          }
        : { title: 'Audit log NOT intact', text: `record ${result.firstBad}: ${result.message}`, ok: false };
    },
    async policy(): Promise<CommandOutput> {
      const { policies } = await client.call<{ policies: { name: string; summary?: string }[] }>(
        'GET',
        '/v1/policies',
      );
      const policy = policies.find((p) => p.name === task.policy);
      return policy?.summary
        ? { title: `Policy ${task.policy}`, text: policy.summary, ok: true }
        : { title: `Policy ${task.policy}`, text: 'the server does not show this policy', ok: false };
    },
  };

  return {
    taskId: task.id,
    ended,
    get state() {
      return hub.state;
    },
    subscribe: (sink) => hub.subscribe(sink),
    watch: (listener) => hub.watch(listener),
    async send(text) {
      if (ENDED.has(status)) {
        throw new WardenError(
          'task.ended',
          `task ${task.id} has ended (${status}): it takes no more messages`,
          {
            hint: 'start a new task, or warden exec --resume locally',
          },
        );
      }
      await client.call('POST', `${path}/messages`, { text });
      update({ queued: [...hub.state.queued, text] });
    },
    async answer(callId: string, answer: ApprovalAnswer) {
      const approval = (await pending()).find((a) => a.callId === callId);
      if (!approval) return;
      await client.call('POST', `/v1/approvals/${encodeURIComponent(approval.id)}`, {
        decision: answer === 'deny' ? 'deny' : 'allow',
        scope: answer === 'session' ? 'session' : 'once',
      });
    },
    async interrupt() {
      if (!hub.state.busy || ENDED.has(status)) return;
      await client.call('POST', `${path}/cancel`);
    },
    commands,
    async close() {
      stop.abort();
      hub.clear();
    },
  };
}

function describe(args: unknown): string {
  if (typeof args !== 'object' || args === null) return '';
  const a = args as Record<string, unknown>;
  const pick = a.command ?? a.path ?? a.pattern;
  return typeof pick === 'string' ? (pick.split('\n', 1)[0] ?? '') : '';
}
