import type { Report, WardenEvent } from '../agent/events.ts';
import { git } from '../broker/git.ts';
import { runsLaterInBranch } from '../broker/runs-later-files.ts';
import type { RepositoryClient } from './app-client.ts';
import { checkRunOutput, finishCheckRun } from './check-run.ts';
import { comment } from './comment.ts';
import { pushCommit, revParse } from './publish-git.ts';
import { type Decision, fenced, lastTestRun, MAX_BODY_CHARS, pullRequestBody } from './pull-body.ts';
import type { GitHubLink } from './store.ts';

/** The task as publishing sees it. */
export interface PublishedTask {
  id: string;
  /** The clone URL (no credentials). */
  repository: string;
}

export interface PublishDeps {
  /** A client with contents, pull requests, issues and checks write on the link's repository. */
  client: RepositoryClient;
  /** The session's events, for decisions and flags. */
  events: WardenEvent[];
  decisions: Decision[];
  /** Commits the work tree's state onto `base` (no ref, index or HEAD of the clone touched). */
  snapshot(root: string, base: string): Promise<{ commit: string; tree: string }>;
  /** The signed receipt for `base`..`commit`, as JSON text. */
  receipt(root: string, base: string, commit: string): Promise<string>;
  /** How a reader checks a receipt offline. */
  verifyCommand: string;
  log: (line: string) => void;
  timeoutMs: number;
}

export type Published =
  | { kind: 'unchanged' }
  | { kind: 'opened' | 'updated'; pullNumber: number; commit: string; url: string };

/**
 * What a finished GitHub task leaves on GitHub: its changes committed by the broker on the host and
 * pushed to its `warden/…` branch, a pull request opened (or, when it continued one, a comment on
 * it) with the body pullRequestBody writes and the signed receipt, a finished check run on the
 * pushed commit, and a comment on the issue pointing at it.
 */
export async function publishRun(
  task: PublishedTask,
  link: GitHubLink,
  run: { report: Report; root: string },
  deps: PublishDeps,
): Promise<Published> {
  const { client } = deps;
  const { owner, repo } = client;
  const { report, root } = run;
  const base = await revParse(root, `refs/remotes/origin/${link.startFrom}^{commit}`);
  if (!base) throw new Error(`the clone has no origin/${link.startFrom} to compare the work with`);
  const { commit, tree } = await deps.snapshot(root, base);
  const baseTree = await revParse(root, `${base}^{tree}`);
  if (tree === baseTree) {
    await comment(
      client,
      link.issueNumber,
      `Warden finished task \`${task.id}\` without changing anything.\n\n${fenced(report.summary || report.reason)}`,
    );
    return { kind: 'unchanged' };
  }
  const pushed = await pushCommit({
    root,
    url: task.repository,
    commit,
    branch: link.branch,
    token: client.token,
    timeoutMs: deps.timeoutMs,
  });
  if (!pushed.ok) throw new Error(pushed.message);
  // A local branch at the commit, for the runs-later listing (which compares branches).
  await git(root, ['update-ref', `refs/heads/${link.branch}`, commit]);
  const runsLater = await runsLaterInBranch(root, {
    remote: 'origin',
    base: link.startFrom,
    head: link.branch,
  });
  const receipt = await deps.receipt(root, base, commit);
  const flags = deps.events.flatMap((e) =>
    e.type === 'guard.flagged' ? [{ source: e.source, rule: e.rule, detail: e.detail }] : [],
  );
  const continuing = link.startFrom === link.branch;
  const body = pullRequestBody({
    taskId: task.id,
    ...(continuing ? {} : { closes: link.issueNumber }),
    trigger: link.trigger,
    report,
    runsLater,
    decisions: deps.decisions,
    flags,
    receipt,
    commit,
    verifyCommand: deps.verifyCommand,
  });
  let pullNumber: number;
  let url: string;
  if (continuing) {
    pullNumber = link.issueNumber;
    url = await comment(client, pullNumber, body.slice(0, MAX_BODY_CHARS));
  } else {
    const { data } = await client.octokit.request('POST /repos/{owner}/{repo}/pulls', {
      owner,
      repo,
      title: titleOf(link),
      head: link.branch,
      base: link.startFrom,
      body,
      draft: report.status !== 'finished',
    });
    pullNumber = data.number;
    url = data.html_url;
    await comment(client, link.issueNumber, `Warden opened #${pullNumber} for this (task \`${task.id}\`).`);
  }
  await finishCheckRun(client, {
    headSha: commit,
    conclusion: conclusionOf(report),
    output: checkRunOutput({ report, url, receipt, verifyCommand: deps.verifyCommand }),
  });
  deps.log(
    `github: task ${task.id}: pushed ${commit.slice(0, 12)} to ${link.branch}; ${continuing ? 'commented on' : 'opened'} ${owner}/${repo}#${pullNumber}`,
  );
  return { kind: continuing ? 'updated' : 'opened', pullNumber, commit, url };
}

/** Warden's title: the issue's number; the model's words stay in the body, under its heading. */
function titleOf(link: GitHubLink): string {
  const issue = link.material.find((m) => m.source.startsWith('GitHub issue'));
  const title = issue?.content.split('\n')[0]?.replace(/\s+/g, ' ').trim() ?? '';
  const text = `Warden: ${title || `#${link.issueNumber}`}`;
  return text.length <= 256 ? text : `${text.slice(0, 255)}…`;
}

/** Green only when the agent finished and the last test run passed; no test run is neutral. */
export function conclusionOf(report: Report): 'success' | 'failure' | 'neutral' | 'cancelled' {
  if (report.status === 'cancelled') return 'cancelled';
  if (report.status !== 'finished') return 'failure';
  const tests = lastTestRun(report);
  if (tests === undefined) return 'neutral';
  return tests.exitCode === 0 && !tests.timedOut ? 'success' : 'failure';
}
