import type { GitHubConfig } from './config.ts';

/** A webhook that asks Warden for work: an issue labelled, or a `/warden …` comment. */
export interface Trigger {
  kind: 'label' | 'comment';
  /** `owner/name` as GitHub spells it. */
  repository: string;
  defaultBranch: string;
  installationId: number;
  /** The issue or pull request (they share numbers). */
  number: number;
  onPullRequest: boolean;
  sender: string;
  commentId?: number;
  /** What the comment asks, after the command word; empty when it asks nothing more. */
  request?: string;
  issue: { title: string; body: string; author: string };
  /** The issue's or the comment's page. */
  url: string;
  /** When it happened (the label's issue update, the comment's creation), ms since the epoch. */
  at: number;
}

export type TriggerOf = { trigger: Trigger } | { ignored: string };

type Obj = Record<string, unknown>;
const obj = (value: unknown): Obj => (typeof value === 'object' && value !== null ? (value as Obj) : {});
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const int = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;

/**
 * Reads a verified delivery: which event it is, and whether it asks for work. Everything else —
 * other events and actions, bots (Warden's own comments among them), comments without the
 * command — is ignored, with why.
 */
export function triggerOf(event: string, payload: unknown, config: GitHubConfig): TriggerOf {
  const body = obj(payload);
  const action = str(body.action);
  const what = `${event}${action ? `.${action}` : ''}`;
  if (what !== 'issues.labeled' && what !== 'issue_comment.created')
    return { ignored: `${what} is not an event Warden acts on` };
  const repository = obj(body.repository);
  const issue = obj(body.issue);
  const sender = obj(body.sender);
  const installationId = int(obj(body.installation).id);
  const number = int(issue.number);
  const fullName = str(repository.full_name);
  if (!installationId) return { ignored: `${what} came without an installation` };
  if (!number || !/^[^/\s]+\/[^/\s]+$/.test(fullName))
    return { ignored: `${what} has no issue number or repository name` };
  if (str(sender.type) === 'Bot') return { ignored: `${what} was sent by a bot (${str(sender.login)})` };
  const base = {
    repository: fullName,
    defaultBranch: str(repository.default_branch) || 'main',
    installationId,
    number,
    onPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
    sender: str(sender.login),
    issue: { title: str(issue.title), body: str(issue.body), author: str(obj(issue.user).login) },
  };
  if (what === 'issues.labeled') {
    const label = str(obj(body.label).name);
    if (label.toLowerCase() !== config.label.toLowerCase())
      return { ignored: `the label "${label}" is not "${config.label}"` };
    return { trigger: { ...base, kind: 'label', url: str(issue.html_url), at: timeOf(issue.updated_at) } };
  }
  const comment = obj(body.comment);
  const request = commandRequest(str(comment.body), config.command);
  if (request === undefined) return { ignored: `the comment does not start with ${config.command}` };
  const commentId = int(comment.id);
  if (!commentId) return { ignored: 'the comment has no id' };
  return {
    trigger: {
      ...base,
      kind: 'comment',
      commentId,
      request,
      url: str(comment.html_url),
      at: timeOf(comment.created_at),
    },
  };
}

/** A payload's timestamp; one missing or unreadable counts as now (the signature vouches for the rest). */
function timeOf(value: unknown): number {
  const time = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isNaN(time) ? Date.now() : time;
}

/** `/warden fix the typo` → `fix the typo`; the command word must stand alone at the very start. */
export function commandRequest(text: string, command: string): string | undefined {
  const trimmed = text.replace(/^\s+/, '');
  if (!trimmed.toLowerCase().startsWith(command)) return undefined;
  const rest = trimmed.slice(command.length);
  if (rest !== '' && !/^\s/.test(rest)) return undefined;
  return rest.trim();
}
