import type { PullRequestBroker, PullRequestPlan } from '../broker/pull-request.ts';
import { toolError } from './tool-output.ts';
import type { ToolContext, ToolResult } from './types.ts';

/**
 * `gh pr create` as the shell tool answers it when the broker makes it: what gh would print (the
 * pull request's URL) or why nothing was opened, with the facts in `details.brokered`. The API's
 * words are outside content, so the result names its source and the model gets it as data.
 */
export async function openPullRequest(
  broker: PullRequestBroker,
  plan: PullRequestPlan,
  command: string,
  options: { timeoutMs: number; context: ToolContext; source: string },
): Promise<ToolResult> {
  const { context } = options;
  const started = performance.now();
  const outcome = await broker.open(plan, {
    timeoutMs: options.timeoutMs,
    signal: context.signal,
    // Without a policy, nothing judges the session's calls; the sandbox alone would bound them.
    authorize: context.authorize ?? (async () => ({ allowed: true })),
  });
  const brokered = {
    repository: `${plan.repository.owner}/${plan.repository.repo}`,
    remote: plan.remote,
    credential: plan.credential.name,
    api: plan.api,
    ...('head' in outcome ? { head: outcome.head } : {}),
    ...('base' in outcome && outcome.base !== undefined ? { base: outcome.base } : {}),
  };
  if (outcome.kind === 'refused') return toolError(`no pull request opened: ${outcome.reason}`, { brokered });
  if (outcome.kind === 'denied') return toolError(outcome.output, { brokered });

  const durationMs = Math.round(performance.now() - started);
  const who = `[made by Warden's broker outside the sandbox: ${plan.api}, repository ${brokered.repository}, with credential "${plan.credential.name}"]`;
  const opened = outcome.kind === 'opened';
  return {
    output: opened
      ? `exit code: 0\n${who}\n[stdout]\n${outcome.url}`
      : `exit code: 1\n${who}\n[stderr]\nno pull request opened${outcome.status ? ` (HTTP ${outcome.status})` : ''}: ${outcome.message}`,
    ...(opened ? {} : { isError: true }),
    details: {
      exitCode: opened ? 0 : 1,
      timedOut: false,
      durationMs,
      brokered: opened
        ? { ...brokered, pullRequest: { number: outcome.number, url: outcome.url } }
        : { ...brokered, ...(outcome.status ? { status: outcome.status } : {}) },
    },
    command: { command, exitCode: opened ? 0 : 1, timedOut: false, durationMs },
    source: options.source,
  };
}
