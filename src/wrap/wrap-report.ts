import type { EventBody, FileChangeSummary, ModelSpend, Report } from '../agent/events.ts';
import { RunsLaterLog } from '../agent/runs-later-log.ts';
import type { GatewayCall } from '../gateway/index.ts';
import type { Usage } from '../models/types.ts';
import { formatSize } from '../policy/quantities.ts';
import type { AttachedExit } from '../sandbox/run-attached.ts';
import type { CommandRun } from '../tools/types.ts';

/** The event one gateway call becomes: the call's own record, minus its wall-clock time. */
export function gatewayEvent(call: GatewayCall): EventBody {
  return {
    type: 'gateway.call',
    id: call.id,
    api: call.api,
    ...(call.requestedModel === undefined ? {} : { requestedModel: call.requestedModel }),
    ...(call.model === undefined ? {} : { model: call.model }),
    stream: call.stream,
    status: call.status,
    ...(call.error === undefined ? {} : { error: call.error }),
    usage: call.usage,
    cost: call.cost,
    ...(call.estimated === true ? { estimated: true } : {}),
    durationMs: call.durationMs,
    attempts: call.attempts,
  };
}

/** What the agent spent through the gateway, per model, as a session report counts it. */
export interface SpendTally {
  add(call: GatewayCall): void;
  readonly calls: number;
  readonly tokens: Usage;
  readonly cost: number | undefined;
  readonly byModel: Record<string, ModelSpend>;
  /** A call was refused because the session's key had spent its budget. */
  readonly budgetSpent: boolean;
}

export function createSpendTally(): SpendTally {
  const tokens = zero();
  const byModel: Record<string, ModelSpend> = {};
  let cost: number | undefined;
  let calls = 0;
  let budgetSpent = false;
  return {
    add(call) {
      if (call.error?.code === 'gateway.budget') budgetSpent = true;
      if (call.model === undefined || call.attempts === 0) return;
      calls += 1;
      add(tokens, call.usage);
      if (call.cost !== undefined) cost = (cost ?? 0) + call.cost;
      const spend = byModel[call.model] ?? { turns: 0, usage: zero(), cost: undefined };
      spend.turns += 1;
      add(spend.usage, call.usage);
      if (call.cost !== undefined) spend.cost = (spend.cost ?? 0) + call.cost;
      byModel[call.model] = spend;
    },
    get calls() {
      return calls;
    },
    get tokens() {
      return { ...tokens };
    },
    get cost() {
      return cost;
    },
    get byModel() {
      return byModel;
    },
    get budgetSpent() {
      return budgetSpent;
    },
  };
}

export interface WrapOutcome {
  program: string;
  exit: AttachedExit;
  /** Why Warden ended the session before the agent did, if it did. */
  ended?:
    | { by: 'user' }
    | { by: 'wall_time'; maxMs: number }
    | { by: 'disk'; usedBytes: number; maxBytes: number }
    | { by: 'warden'; code: string; message: string };
  commands: readonly CommandRun[];
  judged: number;
  denials: number;
  spend: SpendTally;
  filesChanged: FileChangeSummary[];
  durationMs: number;
}

/** The session's report, in the shape every Warden session has. */
export function wrapReport(outcome: WrapOutcome): Report {
  const { exit, ended, spend } = outcome;
  const how =
    exit.exitCode !== null
      ? `exited with status ${exit.exitCode}`
      : `was ended by ${exit.signal ?? 'an unknown cause'}`;
  let status: Report['status'] = exit.exitCode === 0 ? 'finished' : 'failed';
  let reason = `${outcome.program} ${how}`;
  if (ended?.by === 'user') [status, reason] = ['cancelled', 'stopped by the user'];
  else if (ended?.by === 'wall_time')
    [status, reason] = ['limit', `the wall time limit of ${Math.round(ended.maxMs / 1000)} s was reached`];
  else if (ended?.by === 'disk')
    [status, reason] = [
      'limit',
      `the workspace passed its disk limit (limits.disk; ${formatSize(ended.usedBytes)} used of ${formatSize(ended.maxBytes)}) and ${outcome.program} was stopped`,
    ];
  else if (ended?.by === 'warden') [status, reason] = ['failed', ended.message];
  else if (spend.budgetSpent && exit.exitCode !== 0)
    [status, reason] = ['limit', `the session's token or cost budget was spent; ${reason}`];
  const failedCommands = outcome.commands.filter((run) => run.exitCode !== 0).length;
  // What the wrapped agent wrote is not judged file by file: its files that run later are listed by path.
  const runsLater = new RunsLaterLog().report(outcome.filesChanged);
  return {
    status,
    reason,
    summary:
      `${outcome.program} ${how} after ${plural(spend.calls, 'model call')} and ` +
      `${plural(outcome.judged, 'command')}${outcome.denials > 0 ? ` (${outcome.denials} denied)` : ''}.`,
    filesChanged: outcome.filesChanged,
    diffStat: {
      files: outcome.filesChanged.length,
      added: outcome.filesChanged.reduce((n, f) => n + f.added, 0),
      removed: outcome.filesChanged.reduce((n, f) => n + f.removed, 0),
    },
    ...(runsLater.length > 0 ? { runsLater } : {}),
    commands: [...outcome.commands],
    tokens: spend.tokens,
    cost: spend.cost,
    byModel: spend.byModel,
    durationMs: Math.round(outcome.durationMs),
    turns: spend.calls,
    toolCalls: outcome.judged,
    toolErrors: failedCommands,
    denials: outcome.denials,
    ...(ended?.by === 'warden' ? { error: { code: ended.code, message: ended.message } } : {}),
  };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function zero(): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
}

function add(total: Usage, more: Usage): void {
  total.inputTokens += more.inputTokens;
  total.outputTokens += more.outputTokens;
  total.cacheReadTokens += more.cacheReadTokens;
  total.cacheWriteTokens += more.cacheWriteTokens;
}
