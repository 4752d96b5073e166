import { createHeadlessApprover } from '../policy/approvals.ts';
import { SessionStore } from '../store/session-store.ts';
import { runGovernedAgent } from '../wrap/governed-agent.ts';
import { type ContestantRun, countingSink, type TrialContext, trialLimits } from './trial.ts';
import type { EvalInstance } from './types.ts';

/** How each third-party agent is told the task in its headless mode. */
const HEADLESS_ARGV: Record<string, (task: string) => string[]> = {
  codex: (task) => ['codex', 'exec', task],
  claude: (task) => ['claude', '-p', task],
};

export const WRAPPED_AGENTS = Object.keys(HEADLESS_ARGV);

/**
 * A third-party agent as a contestant: `warden wrap`'s governed session (the gateway with a virtual
 * key, commands judged by the policy, the same sandbox and audit log), asks denied, the instance's
 * time and the policy's token and cost budget.
 */
export async function runWrappedContestant(
  context: TrialContext,
  instance: EvalInstance,
  root: string,
  agent: string,
  modelId: string,
  sessionId: string,
  signal: AbortSignal,
): Promise<ContestantRun> {
  const argv = HEADLESS_ARGV[agent];
  if (!argv) throw new Error(`no headless command for agent "${agent}"`);
  if (!(context.sessions instanceof SessionStore)) {
    throw new Error(`agent "${agent}" runs only in a local evaluation (warden eval run without --server)`);
  }
  const limits = trialLimits(context.policy, instance);
  const counts = countingSink();
  const { report } = await runGovernedAgent({
    sessionId,
    argv: argv(instance.problemStatement),
    profile: agent,
    modelId,
    policy: context.policy,
    root,
    workingDir: '',
    cwd: context.cwd,
    configDir: context.cwd,
    env: context.env,
    approver: createHeadlessApprover('deny'),
    audit: context.audit,
    budget: {
      tokens: limits.maxTokens,
      ...(Number.isFinite(limits.maxCost) ? { costUsd: limits.maxCost } : {}),
    },
    maxWallTimeMs: limits.maxWallTimeMs,
    store: context.sessions,
    sinks: [counts.sink],
    // Many contestants at once: none of them gets the terminal.
    terminal: false,
    signal,
  });
  return { sessionId, report, asks: counts.asks(), guardFlags: counts.guardFlags() };
}
