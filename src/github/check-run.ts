import type { Report } from '../agent/events.ts';
import type { RepositoryClient } from './app-client.ts';
import { fenced, MAX_SUMMARY_CHARS } from './pull-body.ts';

/** The check run's name on GitHub. */
export const CHECK_NAME = 'Warden';

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
}

/** An in-progress check run on the commit the task starts from; its id, to update as it goes. */
export async function startCheckRun(
  client: RepositoryClient,
  headSha: string,
  output: CheckOutput,
): Promise<number> {
  const { data } = await client.octokit.request('POST /repos/{owner}/{repo}/check-runs', {
    owner: client.owner,
    repo: client.repo,
    name: CHECK_NAME,
    head_sha: headSha,
    status: 'in_progress',
    started_at: new Date().toISOString(),
    output: capped(output),
  });
  return Number(data.id);
}

export async function updateCheckRun(
  client: RepositoryClient,
  id: number,
  update: { output: CheckOutput } & (
    | { status?: undefined }
    | { status: 'completed'; conclusion: 'success' | 'failure' | 'neutral' | 'cancelled' }
  ),
): Promise<void> {
  await client.octokit.request('PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', {
    owner: client.owner,
    repo: client.repo,
    check_run_id: id,
    output: capped(update.output),
    ...(update.status === 'completed'
      ? { status: 'completed', conclusion: update.conclusion, completed_at: new Date().toISOString() }
      : {}),
  });
}

/** A completed check run on the pushed commit: what the pull request shows beside its commits. */
export async function finishCheckRun(
  client: RepositoryClient,
  run: { headSha: string; conclusion: 'success' | 'failure' | 'neutral' | 'cancelled'; output: CheckOutput },
): Promise<number> {
  const now = new Date().toISOString();
  const { data } = await client.octokit.request('POST /repos/{owner}/{repo}/check-runs', {
    owner: client.owner,
    repo: client.repo,
    name: CHECK_NAME,
    head_sha: run.headSha,
    status: 'completed',
    conclusion: run.conclusion,
    started_at: now,
    completed_at: now,
    output: capped(run.output),
  });
  return Number(data.id);
}

/** The finished run's output: the outcome in the title, the receipt in the text. */
export function checkRunOutput(input: {
  report: Report;
  url: string;
  receipt: string;
  verifyCommand: string;
}): CheckOutput {
  const { report } = input;
  const { files, added, removed } = report.diffStat;
  return {
    title: `${report.status === 'finished' ? 'Finished' : `Stopped (${report.status})`}: ${files} file${files === 1 ? '' : 's'}, +${added} −${removed}`,
    summary: `Pull request: ${input.url}\n\n${fenced(report.summary || report.reason)}\n\n${report.commands.length} commands, ${report.denials} denials, ${report.turns} turns.`,
    text: `Signed receipt (check it offline with \`${input.verifyCommand}\`):\n\n\`\`\`json\n${input.receipt}\n\`\`\``,
  };
}

function capped(output: CheckOutput): CheckOutput {
  const cut = (text: string) =>
    text.length <= MAX_SUMMARY_CHARS ? text : `${text.slice(0, MAX_SUMMARY_CHARS - 2)} …`;
  return {
    title: output.title.slice(0, 255),
    summary: cut(output.summary),
    ...(output.text === undefined ? {} : { text: cut(output.text) }),
  };
}
