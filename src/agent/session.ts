import { isWardenError, messageOf } from '../errors.ts';
import { createUntrustedContent, type UntrustedContent } from '../guard/untrusted.ts';
import type { Message, ModelClient, ToolSpec, Usage } from '../models/types.ts';
import type { Sandbox } from '../sandbox/types.ts';
import type { Workspace } from '../sandbox/workspace-types.ts';
import { toolSpecs } from '../tools/registry.ts';
import type { AnyTool } from '../tools/types.ts';
import { ChangeLog } from './change-log.ts';
import { COMPACTION_THRESHOLD, compact, estimateTokens } from './compaction.ts';
import type { EventStream } from './event-stream.ts';
import type { FileChangeSummary, Report } from './events.ts';
import type { Gate } from './gate.ts';
import { DEFAULT_LIMITS, describeLimit, type Limits, limitReached } from './limits.ts';
import type { PlantedWatch } from './planted-watch.ts';
import type { RunsLaterLog } from './runs-later-log.ts';
import { runToolCall, skipToolCall, type ToolCallContext } from './tool-call.ts';
import { atTurnBoundary, type TurnHooks } from './turn-boundary.ts';

export type Checkpointer = (state: {
  messages: Message[];
  turns: number;
  usage: Usage;
  cost: number | undefined;
  lastSeq: number;
}) => void;

export interface SessionOptions extends TurnHooks {
  task: string;
  model: ModelClient;
  tools: AnyTool[];
  workspace: Workspace;
  sandbox: Sandbox;
  system: string;
  events: EventStream;
  limits?: Partial<Limits>;
  /** The conversation so far, when resuming. */
  history?: Message[];
  /**
   * What the resumed session spent before this run. The report and the limits are for this run;
   * the checkpoint keeps the session's running totals.
   */
  spent?: { turns: number; usage: Usage; cost: number | undefined };
  checkpoint?: Checkpointer;
  /** The policy and approvals every tool call passes through. */
  gate?: Gate;
  /** Resolves once everything emitted so far is durable in the audit log (write-ahead). */
  recordIntent?: () => Promise<void>;
  /** Applied to every tool output before the model reads it. */
  redact?: (text: string) => string;
  /** Marks workspace and command content as data (default: a fresh envelope with its own nonce). */
  untrusted?: UntrustedContent;
  /** Paths the policy hides from tools that read many files at once. */
  hidden?: (path: string) => boolean;
  /** Looks for files that run later which a command wrote, after each command. */
  watch?: PlantedWatch;
  /** Writes of files that run later, for the report's own section. */
  runsLater?: RunsLaterLog;
  /** What changed in the workspace since the session started, by any means; undefined if unknown. */
  worktree?: { changes(): Promise<FileChangeSummary[] | undefined> };
  signal?: AbortSignal;
  now?: () => number;
}

const ZERO_USAGE: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

/**
 * The agent loop: ask the model, run the tool calls it makes through the one tool pipeline, feed the
 * results back, repeat until it answers without a tool call or a limit is reached. Always ends with a
 * report and a `session.finished` event, whatever the model or the tools do.
 */
export async function runSession(options: SessionOptions): Promise<Report> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { events, model } = options;
  const tools = new Map(options.tools.map((tool) => [tool.name, tool]));
  const specs: ToolSpec[] = toolSpecs(options.tools);
  const changes = new ChangeLog();
  const commands: Report['commands'] = [];
  const untrusted = options.untrusted ?? createUntrustedContent();

  const messages: Message[] = [...(options.history ?? []), { role: 'user', text: options.task }];
  const usage: Usage = { ...ZERO_USAGE };
  let cost: number | undefined;
  const byModel: Report['byModel'] = {};
  const firstTurn = options.spent?.turns ?? 0;
  let turns = firstTurn;
  let toolCalls = 0;
  let toolErrors = 0;
  let summary = '';

  // The wall-time limit also interrupts a model call or command in flight.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('wall-time limit')), limits.maxWallTimeMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline.signal]) : deadline.signal;

  const saveCheckpoint = (): void =>
    options.checkpoint?.({
      messages,
      turns,
      ...sessionTotals(options.spent, usage, cost),
      lastSeq: events.lastSeq,
    });

  const end = async (status: Report['status'], reason: string, error?: Report['error']): Promise<Report> => {
    clearTimeout(timer);
    // The worktree's own account includes what commands changed (sed -i, code generators); what
    // the file tools saw is the fallback outside git.
    const filesChanged = (await options.worktree?.changes()) ?? changes.summary();
    const runsLater = options.runsLater?.report(filesChanged) ?? [];
    const report: Report = {
      status,
      reason,
      summary,
      filesChanged,
      diffStat: {
        files: filesChanged.length,
        added: filesChanged.reduce((n, f) => n + f.added, 0),
        removed: filesChanged.reduce((n, f) => n + f.removed, 0),
      },
      ...(runsLater.length > 0 ? { runsLater } : {}),
      commands,
      tokens: usage,
      cost,
      byModel,
      durationMs: now() - startedAt,
      turns: turns - firstTurn,
      toolCalls,
      toolErrors,
      denials: options.gate?.denials ?? 0,
      ...(error ? { error } : {}),
    };
    events.emit({ type: 'session.finished', report });
    saveCheckpoint();
    return report;
  };

  const digest = (): string => {
    const files = changes.summary().map((f) => f.path);
    const ran = commands.slice(-10).map((c) => `${c.command} (exit ${c.exitCode ?? 'killed'})`);
    return `Files changed so far: ${files.join(', ') || 'none'}. Recent commands: ${ran.join('; ') || 'none'}.`;
  };

  while (true) {
    if (options.signal?.aborted) return end('cancelled', cancelReason(options.signal));
    const stop = await atTurnBoundary(options, events, messages, options.redact ?? ((text) => text));
    if (stop) return end(stop.status, stop.reason, stop.error);
    // The timer is the authority on wall time: it is what interrupted whatever was running.
    const hit = deadline.signal.aborted
      ? { limit: 'wall_time' as const, value: now() - startedAt, max: limits.maxWallTimeMs }
      : limitReached(limits, {
          turns: turns - firstTurn,
          elapsedMs: now() - startedAt,
          tokens: usage.inputTokens + usage.outputTokens,
          cost,
        });
    if (hit) {
      events.emit({ type: 'limit.reached', ...hit });
      return end('limit', describeLimit(hit));
    }

    turns += 1;
    const budget = Math.floor(model.info.contextWindow * COMPACTION_THRESHOLD);
    if (estimateTokens(options.system, messages) > budget) {
      const compacted = compact(options.system, messages, budget, digest());
      events.emit({
        type: 'context.compacted',
        turn: turns,
        messagesBefore: messages.length,
        messagesAfter: compacted.messages.length,
        tokensBefore: compacted.tokensBefore,
      });
      messages.splice(0, messages.length, ...compacted.messages);
    }

    events.emit({
      type: 'model.request',
      turn: turns,
      model: model.info.id,
      messages: messages.length,
      estimatedInputTokens: estimateTokens(options.system, messages),
    });
    try {
      await options.recordIntent?.();
    } catch (error) {
      const message = `the audit record could not be written: ${messageOf(error)}`;
      return end('failed', message, { code: 'audit.write', message });
    }
    const requestedAt = now();
    let reply: Awaited<ReturnType<ModelClient['turn']>>;
    try {
      reply = await model.turn({ system: options.system, messages, tools: specs, signal }, (delta) => {
        if (delta.type !== 'retry') return;
        const { attempt, delayMs, reason } = delta;
        events.emit({ type: 'model.retry', turn: turns, attempt, delayMs, reason });
      });
    } catch (error) {
      if (deadline.signal.aborted)
        return end(
          'limit',
          describeLimit({ limit: 'wall_time', value: now() - startedAt, max: limits.maxWallTimeMs }),
        );
      if (options.signal?.aborted) return end('cancelled', cancelReason(options.signal));
      return end(
        'failed',
        `model error: ${messageOf(error)}`,
        isWardenError(error) ? { code: error.code, message: error.describe() } : undefined,
      );
    }

    addUsage(usage, reply.usage);
    if (reply.cost !== undefined) cost = (cost ?? 0) + reply.cost;
    recordSpend(byModel, reply);
    events.emit({
      type: 'model.response',
      turn: turns,
      model: reply.modelId,
      text: reply.text,
      toolCalls: reply.toolCalls.length,
      usage: reply.usage,
      cost: reply.cost,
      finishReason: reply.finishReason,
      durationMs: now() - requestedAt,
      attempts: reply.attempts,
    });
    messages.push({ role: 'assistant', text: reply.text, toolCalls: reply.toolCalls });
    if (reply.text.trim()) summary = reply.text.trim();

    if (reply.toolCalls.length === 0) {
      return end(
        'finished',
        reply.finishReason === 'length' ? 'the model hit its output limit' : 'the model finished',
      );
    }

    const results = [];
    // An approval that only a human could give, in a run without one, stops the session after this
    // turn; every call still gets a result so the conversation stays valid for a resume.
    let stopped: Report['error'];
    const callContext: ToolCallContext = {
      tools,
      toolContext: {
        workspace: options.workspace,
        sandbox: options.sandbox,
        signal,
        ...(options.hidden ? { hidden: options.hidden } : {}),
        ...(options.redact ? { redact: options.redact } : {}),
      },
      events,
      changes,
      commands,
      untrusted,
      ...(options.gate ? { gate: options.gate } : {}),
      ...(options.recordIntent ? { recordIntent: options.recordIntent } : {}),
      ...(options.redact ? { redact: options.redact } : {}),
      ...(options.watch ? { watch: options.watch } : {}),
      ...(options.runsLater ? { runsLater: options.runsLater } : {}),
      stop: (reason) => {
        stopped = reason;
      },
    };
    for (const call of reply.toolCalls) {
      const skip = stopped
        ? 'not run: the session stopped for an approval'
        : skipReason(reply.finishReason, signal);
      const result = skip ? skipToolCall(call, skip, callContext) : await runToolCall(call, callContext);
      toolCalls += 1;
      if (result.isError) toolErrors += 1;
      results.push(result);
    }
    messages.push({ role: 'tool', results });
    saveCheckpoint();
    if (stopped) return end('failed', stopped.message, stopped);
  }
}

/** The host may say why it stopped the session (`interrupted with Esc`) as the abort's reason. */
function cancelReason(signal: AbortSignal | undefined): string {
  return typeof signal?.reason === 'string' ? signal.reason : 'cancelled by the user';
}

/** Why a call must not run even though the model asked for it; every call still gets a result. */
function skipReason(finishReason: string, signal: AbortSignal): string | undefined {
  // A reply cut off by the output limit may carry truncated arguments: fail them rather than act on them.
  if (finishReason === 'length')
    return 'not run: the reply was cut off at the output limit; send the call again';
  if (signal.aborted) return 'not run: the session was interrupted';
  return undefined;
}

/** The session's totals across runs: what earlier runs spent plus this one. */
function sessionTotals(
  spent: SessionOptions['spent'],
  usage: Usage,
  cost: number | undefined,
): { usage: Usage; cost: number | undefined } {
  if (!spent) return { usage, cost };
  const total = { ...spent.usage };
  addUsage(total, usage);
  return {
    usage: total,
    cost: spent.cost === undefined && cost === undefined ? undefined : (spent.cost ?? 0) + (cost ?? 0),
  };
}

function recordSpend(
  byModel: Report['byModel'],
  reply: { modelId: string; usage: Usage; cost: number | undefined },
): void {
  const spend = byModel[reply.modelId] ?? { turns: 0, usage: { ...ZERO_USAGE }, cost: undefined };
  spend.turns += 1;
  addUsage(spend.usage, reply.usage);
  if (reply.cost !== undefined) spend.cost = (spend.cost ?? 0) + reply.cost;
  byModel[reply.modelId] = spend;
}

function addUsage(total: Usage, more: Usage): void {
  total.inputTokens += more.inputTokens;
  total.outputTokens += more.outputTokens;
  total.cacheReadTokens += more.cacheReadTokens;
  total.cacheWriteTokens += more.cacheWriteTokens;
}
