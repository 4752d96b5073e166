import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { WardenError } from '../errors.ts';
import type { DependencyCheck } from '../guard/dependency-check.ts';
import { refNameProblem } from '../guard/git-ref-name.ts';
import type { Approver } from '../policy/approvals.ts';
import { printsFileContents } from '../policy/git-content-readers.ts';
import { ALL_BRANCHES, intentsOf } from '../policy/intents.ts';
import { describeMcpCall } from '../policy/mcp-arguments.ts';
import { recordedAction } from '../policy/recorded-action.ts';
import type { Decision, Policy, PolicyAction, RunsLaterMatch, Verdict } from '../policy/types.ts';
import type { EventStream } from './event-stream.ts';

export type GateResult =
  | { allowed: true }
  /** `stop` when the session cannot go on: an approval was needed and nobody can give it. */
  | { allowed: false; output: string; stop?: { code: string; message: string } };

/**
 * The decide step of every effect: the policy judges each action a call would take; a denial goes
 * back to the model as a tool error, an `ask` goes to a human, and every decision and answer is an
 * event. "For this session" answers are remembered per action, so the same command is asked once.
 */
export interface Gate {
  /** `concerns`: what could not be judged about the call (an unreadable manifest): a person decides. */
  check(
    call: { id: string; tool: string },
    actions: PolicyAction[],
    concerns?: GateConcern[],
  ): Promise<GateResult>;
  readonly denials: number;
}

/** A finding about a call that is not itself an action; it is flagged and makes the call an ask. */
export interface GateConcern {
  source: string;
  rule: string;
  detail: string;
}

export function createGate(options: {
  policy: Policy;
  approver: Approver;
  events: EventStream;
  workspaceRoot: string;
  /**
   * The repository's history holds a file the policy hides: git commands that print old contents
   * would read it past the working tree's masks, so they are asked about even where allowed.
   */
  historyHoldsHidden?: boolean;
  /**
   * Looks each new dependency up in its registry once the policy lets it through: a made-up name
   * is denied, a risky one asked about. Without one, the policy's word is final.
   */
  checkDependency?: DependencyCheck;
  /** Told of each write to a file that runs later, outside the sandbox, once its answer is final. */
  runsLater?: (path: string, matches: RunsLaterMatch[], allowed: boolean) => void;
}): Gate {
  const { policy, approver, events } = options;
  const approvedForSession = new Set<string>();
  let denials = 0;

  const deny = (output: string): GateResult => {
    denials += 1;
    return { allowed: false, output };
  };

  return {
    get denials() {
      return denials;
    },
    async check(call, rawActions, concerns = []) {
      const actions = rawActions.flatMap((action) =>
        withRealPath(normalise(action, options.workspaceRoot), options.workspaceRoot),
      );
      const verdicts: Verdict[] = [];
      const reasons: string[] = [];
      const planted: Array<{ path: string; matches: RunsLaterMatch[] }> = [];
      const settled = (result: GateResult): GateResult => {
        for (const { path, matches } of planted) options.runsLater?.(path, matches, result.allowed);
        return result;
      };
      for (const concern of concerns) {
        events.emit({ type: 'guard.flagged', callId: call.id, ...concern });
        reasons.push(concern.detail);
      }
      // A loop over a growing list: a command's intents (a dependency added, a branch pushed) are
      // judged as actions of their own, after the command itself.
      for (let i = 0; i < actions.length; i++) {
        const action = actions[i] as PolicyAction;
        let decision =
          refusedRefName(action) ??
          guardHistory(await policy.decide(action), options.historyHoldsHidden === true);
        if (action.kind === 'shell') {
          actions.push(...(decision.parts ?? []).flatMap((part) => intentsOf(part.command)));
          // A file the command writes is judged again as a write_file would be: through symlinks too.
          for (const part of decision.parts ?? [])
            if (part.write !== undefined && decision.decision !== 'deny')
              actions.push(...withRealPath({ kind: 'file.write', path: part.write }, options.workspaceRoot));
        }
        if (action.kind === 'dependency.add' && decision.decision !== 'deny' && options.checkDependency)
          decision = await checked(decision, action, options.checkDependency, (flag) =>
            events.emit({ type: 'guard.flagged', callId: call.id, source: 'dependency', ...flag }),
          );
        events.emit({
          type: 'policy.decided',
          callId: call.id,
          tool: call.tool,
          decision: decision.decision,
          policies: decision.policies,
          reason: decision.reason,
          action: recordedAction(action),
        });
        verdicts.push(decision.decision);
        if (action.kind === 'file.write' && decision.runsLater?.length)
          planted.push({ path: action.path, matches: decision.runsLater });
        if (decision.decision !== 'allow') reasons.push(`${describe(action)}: ${decision.reason}`);
        if (decision.decision === 'deny') {
          return settled(
            deny(`denied by policy (${decision.policies.join(', ') || 'default deny'}): ${decision.reason}`),
          );
        }
      }
      if (!verdicts.includes('ask') && concerns.length === 0) return settled({ allowed: true });

      const pending = [
        ...actions.filter((_, i) => verdicts[i] === 'ask').map(describe),
        ...concerns.map((concern) => concern.detail),
      ];
      // A concern is about this call's content, so no earlier answer covers it.
      if (concerns.length === 0 && pending.every((key) => approvedForSession.has(key))) {
        events.emit({
          type: 'approval.resolved',
          callId: call.id,
          decision: 'allow',
          by: 'session-approval',
        });
        return settled({ allowed: true });
      }
      const reason = reasons.join('; ');
      events.emit({ type: 'approval.requested', callId: call.id, tool: call.tool, reason });
      const answer = await approver.ask({
        callId: call.id,
        tool: call.tool,
        summary: pending.join('; '),
        reason,
      });
      if (answer === 'fail') {
        events.emit({ type: 'approval.resolved', callId: call.id, decision: 'deny', by: approver.by });
        const error = new WardenError(
          'approval.required',
          `approval needed for ${pending.join('; ')} (${reason})`,
          {
            hint: 'run interactively, widen the policy, or pass --approvals deny to refuse such actions',
          },
        );
        const refused = deny(`not run: ${error.message}`) as Extract<GateResult, { allowed: false }>;
        return settled({ ...refused, stop: { code: error.code, message: error.describe() } });
      }
      const allowed = answer !== 'deny';
      events.emit({
        type: 'approval.resolved',
        callId: call.id,
        decision: allowed ? 'allow' : 'deny',
        by: approver.by,
      });
      if (answer === 'session') for (const key of pending) approvedForSession.add(key);
      return settled(allowed ? { allowed: true } : deny(`not approved: ${reason}`));
    },
  };
}

/** One line for an action, which is also its key for "allow for this session". */
function describe(action: PolicyAction): string {
  switch (action.kind) {
    case 'file.read':
      return `read ${action.path}`;
    case 'file.write':
      return `write ${action.path}`;
    case 'shell':
      return `shell: ${action.command}`;
    case 'net.connect':
      return `connect ${action.host}:${action.port}`;
    case 'dependency.add':
      return `add ${action.ecosystem} package ${action.name}`;
    case 'git.push':
      return `push${action.force ? ' --force' : ''} ${action.branch}`;
    case 'pr.create':
      return `open pull request ${action.head} into ${action.base}`;
    case 'secret.use':
      return `use secret ${action.name} for ${action.act}`;
    case 'mcp.call':
      return describeMcpCall(action);
  }
}

const RANK: Record<Verdict, number> = { allow: 0, ask: 1, deny: 2 };

/**
 * The policy's verdict on a new dependency, made stricter by what its registry says: a name it
 * does not hold is made up (deny), a risk is a question with its reasons, a clear answer leaves
 * the policy's verdict as it was. Each finding is flagged, so the record shows why.
 */
async function checked(
  decision: Decision,
  action: Extract<PolicyAction, { kind: 'dependency.add' }>,
  check: DependencyCheck,
  flag: (finding: { rule: string; detail: string }) => void,
): Promise<Decision> {
  const verdict = await check({ ecosystem: action.ecosystem, name: action.name });
  for (const finding of verdict.findings) flag({ rule: finding.rule, detail: finding.reason });
  if (verdict.decision === 'allow') return decision;
  const policies = [...decision.policies, 'guard.dependency'];
  const found = verdict.reasons.join('; ');
  if (RANK[verdict.decision] > RANK[decision.decision])
    return { decision: verdict.decision, policies, reason: found };
  return { ...decision, policies, reason: `${found}; ${decision.reason}` };
}

/**
 * A branch name Warden will not act on is refused before the policy sees it: no pattern can grant
 * a push of, or a pull request into, `main$(curl …)`. `HEAD` and "every branch" stand for names resolved later.
 */
function refusedRefName(action: PolicyAction): Decision | undefined {
  if (action.kind === 'pr.create') {
    for (const branch of [action.base, action.head]) {
      const problem = refNameProblem(branch);
      if (problem !== undefined)
        return {
          decision: 'deny',
          policies: ['guard.ref_name'],
          reason: `pull request ${JSON.stringify(branch)}: not a branch name Warden acts on, ${problem}`,
        };
    }
    return;
  }
  if (action.kind !== 'git.push' || action.branch === 'HEAD' || action.branch === ALL_BRANCHES) return;
  const problem = refNameProblem(action.branch);
  if (problem === undefined) return;
  return {
    decision: 'deny',
    policies: ['guard.ref_name'],
    reason: `push ${JSON.stringify(action.branch)}: not a branch name Warden acts on, ${problem}`,
  };
}

/** File paths as the policy's patterns see them: workspace-relative, normalised, no `./`. */
function guardHistory(decision: Decision, historyHoldsHidden: boolean): Decision {
  if (!historyHoldsHidden || decision.decision !== 'allow') return decision;
  const readers = (decision.parts ?? []).filter((part) => printsFileContents(part.command));
  if (readers.length === 0) return decision;
  return {
    ...decision,
    decision: 'ask',
    policies: [...decision.policies, 'default.git.history'],
    reason: `\`${readers[0]?.command}\` can print files from git history, and the history holds files the policy denies`,
  };
}

/**
 * A file action as named, and again as the file it really is when a symlink on the way points
 * elsewhere: `leak -> .env` must be judged as `.env`, or every deny rule is one `ln -s` away.
 */
function withRealPath(action: PolicyAction, root: string): PolicyAction[] {
  if (action.kind !== 'file.read' && action.kind !== 'file.write') return [action];
  const real = realPathOf(resolve(root, action.path));
  const relativeReal = relative(realPathOf(root), real).split('\\').join('/') || '.';
  if (relativeReal === action.path) return [action];
  // Outside the workspace it is judged as written (the policy refuses such paths).
  return [
    action,
    { ...action, path: isAbsolute(relativeReal) || relativeReal.startsWith('..') ? real : relativeReal },
  ];
}

/** The real path of a file that may not exist yet: its deepest existing ancestor, resolved. */
function realPathOf(path: string): string {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}

function normalise(action: PolicyAction, root: string): PolicyAction {
  if (action.kind === 'shell') return action.root === undefined ? { ...action, root } : action;
  if (action.kind !== 'file.read' && action.kind !== 'file.write') return action;
  const relativePath = isAbsolute(action.path) ? relative(root, action.path) : action.path;
  const path = posix.normalize(relativePath.split('\\').join('/')).replace(/^\.\/+/, '') || '.';
  return { ...action, path };
}
