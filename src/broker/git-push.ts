import { refNameProblem } from '../guard/git-ref-name.ts';
import type { BashParse } from '../policy/bash-parser.ts';
import { plainCommand } from '../policy/plain-command.ts';
import type { PolicyAction } from '../policy/types.ts';
import { NO_CREDENTIAL_ARGS, withCredentialHelper } from './credential-helper.ts';
import type { Credential, CredentialStore } from './credentials.ts';
import { currentBranch } from './current-branch.ts';
import { git } from './git.ts';

/** A push the broker will make: to a configured http(s) remote, of validated ref names. */
export interface PushPlan {
  remote: string;
  /** The remote's push URL (no credential in it). */
  url: string;
  flags: string[];
  refspecs: Array<{ src: string; dst: string | undefined }>;
  credential: Credential | undefined;
  /** Why no credential goes with it, when none does. */
  noCredential?: string;
}

export type PushMatch = { kind: 'push'; plan: PushPlan } | { kind: 'refused'; reason: string };

export interface PushResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** Set when the broker refused before running git. */
  refused?: string;
}

/**
 * `git push` made by Warden on the host, for the agent whose sandbox has no network and no token.
 * The shell tool hands over a command that is exactly `git push [options] <remote> [<refspec>…]`
 * (one simple command of literal words) naming an http(s) remote of the workspace; anything else
 * runs in the sandbox as before. The policy has judged the push (`git.push`) and, when a credential
 * goes with it, its use (`secret.use` for `git.push`) before `push` is called.
 */
export interface GitPushBroker {
  /** Undefined when the command is not a push the broker makes. */
  match(command: string): PushMatch | undefined;
  /** What the policy must also allow for this command: the credential's use. */
  actions(command: string): PolicyAction[];
  push(plan: PushPlan, options: { timeoutMs: number; signal?: AbortSignal }): Promise<PushResult>;
}

/** Options that only change what is printed or checked; anything else is refused. */
const FLAGS = new Set([
  '-u',
  '--set-upstream',
  '-q',
  '--quiet',
  '-v',
  '--verbose',
  '-n',
  '--dry-run',
  '--porcelain',
  '--atomic',
  '--no-verify',
]);

const FORM = '`git push [-u] <remote> <branch>…` or `<branch>:<remote-branch>`';

export async function createGitPushBroker(options: {
  root: string;
  credentials: CredentialStore;
  parse: BashParse;
}): Promise<GitPushBroker> {
  const { root, credentials, parse } = options;
  // The agent cannot change .git/config (it is read-only in the sandbox), so the remotes read
  // now are the remotes for the whole session.
  const remotes = await readRemotes(root);

  const match = (command: string): PushMatch | undefined => {
    const words = plainCommand(parse, command);
    if (words?.[0] !== 'git' || words[1] !== 'push') return undefined;
    const flags: string[] = [];
    const operands: string[] = [];
    let optionsEnded = false;
    for (const word of words.slice(2)) {
      if (!optionsEnded && word === '--') optionsEnded = true;
      else if (!optionsEnded && word.startsWith('-')) flags.push(word);
      else operands.push(word);
    }
    const [remote, ...specs] = operands;
    const url = remote === undefined ? undefined : remotes.get(remote);
    // A URL, a path or an unknown name: not the broker's; the sandbox runs it (without network).
    if (remote === undefined) {
      return remotes.size > 0 ? { kind: 'refused', reason: `name the remote: ${FORM}` } : undefined;
    }
    if (url === undefined) return undefined;
    if (!/^https?:\/\//i.test(url)) {
      if (/^(file:|\.|\/)/i.test(url)) return undefined;
      return {
        kind: 'refused',
        reason: `remote "${remote}" is ${url}: the broker pushes over http(s) only, with a credential it holds (ssh keys stay out of reach)`,
      };
    }
    const flag = flags.find((f) => !FLAGS.has(f));
    if (flag !== undefined)
      return { kind: 'refused', reason: `the broker does not push with ${flag}; it makes ${FORM}` };
    const refspecs: PushPlan['refspecs'] = [];
    for (const spec of specs.length > 0 ? specs : ['HEAD']) {
      const parsed = refspec(spec);
      if (typeof parsed === 'string') return { kind: 'refused', reason: parsed };
      refspecs.push(parsed);
    }
    const credential = credentials.forUrl(url);
    return {
      kind: 'push',
      plan: {
        remote,
        url,
        flags,
        refspecs,
        credential,
        ...(credential ? {} : { noCredential: credentials.whyNone(url) }),
      },
    };
  };

  return {
    match,
    actions(command) {
      const matched = match(command);
      if (matched?.kind !== 'push' || !matched.plan.credential) return [];
      return [{ kind: 'secret.use', name: matched.plan.credential.name, act: 'git.push' }];
    },
    async push(plan, { timeoutMs, signal }) {
      const started = performance.now();
      const refused = (reason: string): PushResult => ({
        exitCode: 1,
        stdout: '',
        stderr: '',
        timedOut: false,
        durationMs: Math.round(performance.now() - started),
        refused: reason,
      });
      const resolved: string[] = [];
      for (const { src, dst } of plan.refspecs) {
        let source = src;
        if (src === 'HEAD') {
          const current = await currentBranch(root);
          if ('problem' in current) return refused(current.problem);
          source = `refs/heads/${current.branch}`;
        }
        resolved.push(
          dst === undefined ? (src === 'HEAD' ? `${source}:${source}` : source) : `${source}:${dst}`,
        );
      }
      const argv = ['push', ...plan.flags, '--', plan.remote, ...resolved];
      const run = (config: string[], env: Record<string, string>) =>
        git(root, [...config, ...argv], { env, timeoutMs, ...(signal ? { signal } : {}) });
      const result = plan.credential
        ? await withCredentialHelper(plan.credential, plan.url, (setup) => run(setup.args, setup.env))
        : await run(NO_CREDENTIAL_ARGS, {});
      return {
        exitCode: result.code,
        stdout: result.stdout,
        stderr: result.stderr,
        timedOut: result.code === 124,
        durationMs: Math.round(performance.now() - started),
      };
    },
  };
}

/** `src`, `src:dst`; no force (`+`), no deletion (`:dst`), no patterns; every name validated. */
function refspec(spec: string): { src: string; dst: string | undefined } | string {
  if (spec.startsWith('+')) return `${spec} forces the push, which is never allowed`;
  const parts = spec.split(':');
  if (parts.length > 2) return `${JSON.stringify(spec)} is not a refspec`;
  const [src = '', dst] = parts;
  if (src === '') return `${JSON.stringify(spec)} deletes a remote branch, which is never allowed`;
  // The source may be HEAD (resolved and checked when pushing); a destination may not.
  for (const name of [...(src === 'HEAD' ? [] : [src]), ...(dst === undefined ? [] : [dst])]) {
    const problem = refNameProblem(name);
    if (problem) return `${JSON.stringify(name)} is not a name Warden pushes: ${problem}`;
  }
  return { src, dst };
}

/** Each remote's push URL, as git will use it (`pushurl`, `pushInsteadOf` and `insteadOf` applied). */
async function readRemotes(root: string): Promise<Map<string, string>> {
  const remotes = new Map<string, string>();
  const names = await git(root, ['remote']);
  if (names.code !== 0) return remotes;
  for (const name of names.stdout.split('\n').filter(Boolean)) {
    const url = await git(root, ['remote', 'get-url', '--push', '--', name]);
    if (url.code === 0) remotes.set(name, url.stdout.trim());
  }
  return remotes;
}
