import { refNameProblem } from '../guard/git-ref-name.ts';
import type { BashParse } from '../policy/bash-parser.ts';
import { plainCommand } from '../policy/plain-command.ts';
import type { PolicyAction } from '../policy/types.ts';
import type { Credential, CredentialStore } from './credentials.ts';
import { sendsSafely } from './credentials.ts';
import { currentBranch } from './current-branch.ts';
import { git } from './git.ts';
import {
  apiMessage,
  MAX_BODY_CHARS,
  publishableText,
  pullRequestAnswer,
  repositoryRequest,
  send,
} from './github-api.ts';
import { apiBaseUrl, type GitHubRepository, repositoryOf } from './github-remote.ts';
import { type PrCreateCommand, parsePrCreate } from './pr-command.ts';
import { runsLaterInBranch, runsLaterSection } from './runs-later-files.ts';

/** A pull request the broker will open: on the repository of a workspace remote, with its credential. */
export interface PullRequestPlan {
  remote: string;
  repository: GitHubRepository;
  /** The REST API base the request goes to. */
  api: string;
  credential: Credential;
  command: PrCreateCommand;
}

export type PullRequestMatch =
  | { kind: 'create'; plan: PullRequestPlan }
  | { kind: 'refused'; reason: string };

export type PullRequestOutcome =
  /** Nothing was sent and nothing decided: what was wrong with the request. */
  | { kind: 'refused'; reason: string }
  /** The policy (or a person) said no to this base and head. */
  | { kind: 'denied'; output: string }
  /** Sent, and the API said no or did not answer; `base` is unset when it could not be learnt. */
  | { kind: 'failed'; status?: number; message: string; base?: string; head: string }
  | { kind: 'opened'; number: number; url: string; base: string; head: string };

/** Judges an action learnt while the act runs; see ToolContext.authorize. */
export type Authorize = (
  actions: PolicyAction[],
) => Promise<{ allowed: true } | { allowed: false; output: string }>;

/**
 * `gh pr create` made by Warden on the host: the sandbox has neither network nor token. The shell
 * tool hands over a command that is exactly `gh pr create --title T --body B [--base B]
 * [--head H] [--draft]` (literal words); anything else runs in the sandbox, where `gh` fails.
 * The credential's use (`secret.use` for `pr.create`) is judged before `open` is called; the
 * pull request itself (`pr.create`, base and head) once both are known — the base may have to be
 * asked of the API — through `authorize`, before it is sent.
 */
export interface PullRequestBroker {
  /** Undefined when the command is not `gh pr create` in literal words. */
  match(command: string): PullRequestMatch | undefined;
  /** What the policy must judge before the call runs: the credential's use. */
  actions(command: string): PolicyAction[];
  open(
    plan: PullRequestPlan,
    options: { timeoutMs: number; signal?: AbortSignal; authorize: Authorize },
  ): Promise<PullRequestOutcome>;
}

export async function createPullRequestBroker(options: {
  root: string;
  credentials: CredentialStore;
  parse: BashParse;
  /** The session's redactor: the model's title and body pass it before they are published. */
  redact: (text: string) => string;
}): Promise<PullRequestBroker> {
  const { root, credentials, parse, redact } = options;
  // .git/config is read-only in the sandbox: the remotes read now hold for the session.
  const remotes = await readFetchUrls(root);

  const match = (command: string): PullRequestMatch | undefined => {
    const words = plainCommand(parse, command);
    const parsed = words ? parsePrCreate(words) : undefined;
    if (parsed?.kind !== 'create') return parsed;
    const refused = (reason: string): PullRequestMatch => ({ kind: 'refused', reason });
    const remote = remotes.has('origin') ? 'origin' : remotes.size === 1 ? [...remotes.keys()][0] : undefined;
    if (remote === undefined)
      return refused(
        remotes.size === 0
          ? 'the workspace has no remote to open a pull request on'
          : `the broker opens pull requests on the repository of "origin", and there is none (remotes: ${[...remotes.keys()].join(', ')})`,
      );
    const url = remotes.get(remote) as string;
    const repository = repositoryOf(url);
    if ('problem' in repository) return refused(`remote "${remote}": ${repository.problem}`);
    const credential = credentials.forUrl(url);
    if (!credential) return refused(`remote "${remote}": ${credentials.whyNone(url)}`);
    const api = apiBaseUrl(repository.url, credential.apiUrl);
    if (!sendsSafely(new URL(api)))
      return refused(`the API of ${repository.url.host} would be ${api}, and a token goes only over https`);
    return { kind: 'create', plan: { remote, repository, api, credential, command: parsed.command } };
  };

  return {
    match,
    actions(command) {
      const matched = match(command);
      if (matched?.kind !== 'create') return [];
      return [{ kind: 'secret.use', name: matched.plan.credential.name, act: 'pr.create' }];
    },
    async open(plan, { timeoutMs, signal, authorize }) {
      const { repository, api, credential, command } = plan;
      const token = credential.password || credential.username;
      const call = { timeoutMs, ...(signal ? { signal } : {}) };
      let head = command.head;
      if (head === undefined) {
        const current = await currentBranch(root);
        if ('problem' in current) return { kind: 'refused', reason: `${current.problem} (or give --head)` };
        head = current.branch;
      }
      // Checked before anything is sent: a request that cannot be made uses nothing.
      const text = publishableText(command, redact);
      if ('problem' in text) return { kind: 'refused', reason: text.problem };
      let base = command.base;
      if (base === undefined) {
        const found = await defaultBranch(api, repository, token, call);
        if ('problem' in found)
          return { kind: 'failed', message: redact(`${found.problem}; name the base with --base`), head };
        base = found.branch;
      }
      const verdict = await authorize([{ kind: 'pr.create', base, head }]);
      if (!verdict.allowed) return { kind: 'denied', output: verdict.output };
      // Files that run later are listed by Warden after the model's text, for whoever approves it.
      const section = redact(
        runsLaterSection(await runsLaterInBranch(root, { remote: plan.remote, base, head })),
      );
      const room = MAX_BODY_CHARS - section.length - 8;
      const body = section && text.body.length > room ? `${text.body.slice(0, room - 2)} …` : text.body;
      const joined = section ? `${body}${body ? '\n\n---\n\n' : ''}${section}` : body;
      const pulls = { ...text, body: joined, base, head, draft: command.draft };
      const request = repositoryRequest(api, repository, token, { pulls });
      const answer = await send(request, call);
      if ('unreachable' in answer)
        return {
          kind: 'failed',
          message: redact(`${api} did not answer: ${answer.unreachable}`),
          base,
          head,
        };
      const read = pullRequestAnswer(answer.status, answer.json, {
        repository: `${repository.owner}/${repository.repo}`,
        credential: credential.name,
      });
      if (!read.ok) return { kind: 'failed', status: read.status, message: redact(read.message), base, head };
      return { kind: 'opened', number: read.number, url: redact(read.url), base, head };
    },
  };
}

/** `GET /repos/{owner}/{repo}` → `default_branch`, checked like any branch name. */
async function defaultBranch(
  api: string,
  repository: GitHubRepository,
  token: string,
  call: { timeoutMs: number; signal?: AbortSignal },
): Promise<{ branch: string } | { problem: string }> {
  const what = `the default branch of ${repository.owner}/${repository.repo} could not be learnt`;
  const answer = await send(repositoryRequest(api, repository, token, 'repository'), call);
  if ('unreachable' in answer) return { problem: `${what}: ${api} did not answer (${answer.unreachable})` };
  const branch = (answer.json as { default_branch?: unknown } | null)?.default_branch;
  if (answer.status !== 200 || typeof branch !== 'string')
    return { problem: `${what}: the API answered ${answer.status} ${apiMessage(answer.json)}`.trim() };
  const problem = refNameProblem(branch);
  if (problem)
    return { problem: `${what}: ${JSON.stringify(branch)} is not a name Warden acts on, ${problem}` };
  return { branch };
}

/** Each remote's fetch URL: the repository it names, as git resolves it (`insteadOf` applied). */
async function readFetchUrls(root: string): Promise<Map<string, string>> {
  const remotes = new Map<string, string>();
  const names = await git(root, ['remote']);
  if (names.code !== 0) return remotes;
  for (const name of names.stdout.split('\n').filter(Boolean)) {
    const url = await git(root, ['remote', 'get-url', '--', name]);
    if (url.code === 0) remotes.set(name, url.stdout.trim());
  }
  return remotes;
}
