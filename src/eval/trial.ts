import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventSink, Report } from '../agent/events.ts';
import { launchSession, newSessionId } from '../agent/launch.ts';
import { DEFAULT_LIMITS, type Limits } from '../agent/limits.ts';
import { policyLimits } from '../agent/policy-settings.ts';
import { openSessionGuards } from '../agent/session-guards.ts';
import { openSessionParts } from '../agent/session-parts.ts';
import type { AuditKeys } from '../audit/audit-keys.ts';
import type { OpenAuditStorage } from '../audit/index.ts';
import { isWardenError, messageOf } from '../errors.ts';
import { loadModelConfig, resolveModel } from '../models/index.ts';
import { createHeadlessApprover } from '../policy/approvals.ts';
import type { CompiledPolicy } from '../policy/engine.ts';
import type { SessionState } from '../store/session-state.ts';
import type { SessionStore } from '../store/session-store.ts';
import { contestantModel } from './contestant-model.ts';
import { runWrappedContestant } from './contestant-wrap.ts';
import { grade, gradingSandbox, runSetup } from './grade.ts';
import type { RepositoryCache } from './repository-cache.ts';
import type { Contestant, EvalInstance, TrialResult } from './types.ts';
import { prepareWorkspace, removeTree } from './workspace.ts';

/** What every trial of a run shares: the policy, where sessions and audit logs go, where to work. */
export interface TrialContext {
  policy: CompiledPolicy;
  /** The contestants' sessions: the CLI's SQLite store of the run, or a server's. */
  sessions: SessionStore | SessionState;
  audit: { dir: string; keyDir: string; keys?: AuditKeys; storage?: OpenAuditStorage };
  env: NodeJS.ProcessEnv;
  /** Model config (warden.config.*) and `script:` paths resolve from here. */
  cwd: string;
  /** Each trial works in `workRoot/<trial id>`, removed once graded unless `keepWorkspaces`. */
  workRoot: string;
  cache: RepositoryCache;
  keepWorkspaces?: boolean;
  log: (line: string) => void;
}

/** What a contestant's session left: its report and what the events counted. */
export interface ContestantRun {
  sessionId: string | undefined;
  report: Report;
  asks: number;
  guardFlags: number;
}

/** Counts what the report does not: questions the policy asked, and guard findings. */
export function countingSink(): { sink: EventSink; asks: () => number; guardFlags: () => number } {
  let asks = 0;
  let guardFlags = 0;
  return {
    sink: (event) => {
      if (event.type === 'approval.requested') asks += 1;
      if (event.type === 'guard.flagged') guardFlags += 1;
    },
    asks: () => asks,
    guardFlags: () => guardFlags,
  };
}

/** The policy's limits, with the instance's time as the wall-time ceiling (never above the policy's). */
export function trialLimits(policy: CompiledPolicy, instance: EvalInstance): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS, ...policyLimits(policy) };
  return { ...limits, maxWallTimeMs: Math.min(limits.maxWallTimeMs, instance.timeoutSeconds * 1000) };
}

/**
 * One trial: a fresh workspace at the base commit, the instance's setup, the contestant's session
 * under the policy (asks denied: nobody answers in an evaluation), then the hidden tests. Failures
 * of the contestant are results; failures of the instance (its setup, its test patch) are `error`.
 */
export async function runTrial(
  context: TrialContext,
  instance: EvalInstance,
  contestant: Contestant,
  trialId: string,
  signal: AbortSignal,
  /** Told the contestant's session id before the session starts (a crash leaves it to be closed). */
  onSession: (sessionId: string) => Promise<void> = async () => undefined,
): Promise<TrialResult> {
  const dir = join(context.workRoot, trialId);
  await removeTree(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const started = Date.now();
  try {
    const { root, baseCommit } = await prepareWorkspace(instance, join(dir, 'workspace'), {
      signal,
      cache: context.cache,
    });
    // Setup and tests: the policy's limits, no network, .git read-only (not the contestant's sandbox).
    const sandbox = gradingSandbox(root, context.policy);
    const setup = await runSetup(instance, { sandbox, signal });
    if (!setup.ok) return errorResult(`the instance's ${setup.error}`, started);
    const model = await contestantModel(contestant.model, instance.id, { dir, cwd: context.cwd });
    const sessionId = newSessionId();
    await onSession(sessionId);
    const run =
      contestant.agent === 'warden'
        ? await runWardenContestant(context, instance, root, model, sessionId, signal)
        : await runWrappedContestant(context, instance, root, contestant.agent, model, sessionId, signal);
    const graded = await grade(instance, root, { policy: context.policy, baseCommit, signal });
    if (graded.dropped !== undefined)
      context.log(`trial ${trialId}: left out of the grade: ${graded.dropped}`);
    const { report } = run;
    return {
      outcome: graded.outcome,
      ...(graded.error === undefined ? {} : { error: graded.error }),
      tests: graded.tests,
      sessionId: run.sessionId,
      agentStatus: report.status,
      inputTokens: report.tokens.inputTokens,
      outputTokens: report.tokens.outputTokens,
      cost: report.cost,
      wallMs: report.durationMs,
      turns: report.turns,
      toolCalls: report.toolCalls,
      asks: run.asks,
      denials: report.denials,
      guardFlags: run.guardFlags,
      diffStat: report.diffStat,
    };
  } catch (error) {
    if (signal.aborted) throw error;
    const message = isWardenError(error) ? error.describe() : messageOf(error);
    context.log(`trial ${trialId}: ${message}`);
    return errorResult(message, started);
  } finally {
    if (!context.keepWorkspaces) {
      const failed = await removeTree(dir);
      if (failed !== undefined)
        context.log(`trial ${trialId}: its directory ${dir} was not removed: ${failed}`);
    }
  }
}

async function runWardenContestant(
  context: TrialContext,
  instance: EvalInstance,
  root: string,
  modelId: string,
  sessionId: string,
  signal: AbortSignal,
): Promise<ContestantRun> {
  const { policy, env } = context;
  const model = resolveModel(modelId, {
    config: loadModelConfig(context.cwd, { env }),
    env,
    cwd: context.cwd,
  });
  const parts = await openSessionParts(root, policy, { store: context.sessions });
  try {
    const guards = await openSessionGuards({ root, policy, env, sandbox: parts });
    const counts = countingSink();
    const { report } = await launchSession({
      task: instance.problemStatement,
      sessionId,
      model,
      workspace: parts.workspace,
      sandbox: parts.sandbox,
      store: context.sessions,
      sinks: [counts.sink],
      limits: trialLimits(policy, instance),
      approver: createHeadlessApprover('deny'),
      ...(parts.network ? { network: parts.network } : {}),
      ...guards.launch,
      audit: context.audit,
      signal,
    });
    return { sessionId, report, asks: counts.asks(), guardFlags: counts.guardFlags() };
  } finally {
    await parts.close();
  }
}

/** A trial that could not be graded: nothing spent that was measured, and why. */
export function errorResult(error: string, started: number): TrialResult {
  return {
    outcome: 'error',
    error,
    tests: [],
    sessionId: undefined,
    agentStatus: 'not run',
    inputTokens: 0,
    outputTokens: 0,
    cost: undefined,
    wallMs: Date.now() - started,
    turns: 0,
    toolCalls: 0,
    asks: 0,
    denials: 0,
    guardFlags: 0,
    diffStat: { files: 0, added: 0, removed: 0 },
  };
}
