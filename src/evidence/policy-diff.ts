import type { Policy, Verdict } from '../policy/types.ts';
import { type CorpusRequest, requestKey } from './corpus.ts';

export interface DecidedBy {
  decision: Verdict;
  /** The rules that decided: for a command, those of its deciding simple commands. */
  policies: string[];
  reason: string;
}

export interface Difference {
  request: string;
  origin: string;
  a: DecidedBy;
  b: DecidedBy;
}

/** Differences that changed the same way by the same rules. */
export interface DifferenceGroup {
  kind: string;
  change: `${Verdict} → ${Verdict}`;
  aRules: string[];
  bRules: string[];
  requests: Difference[];
}

export interface PolicyComparison {
  total: number;
  fromLogs: number;
  differences: Difference[];
  groups: DifferenceGroup[];
}

/** Each request decided by both policies; those decided differently, grouped by change and rules. */
export async function comparePolicies(
  a: Policy,
  b: Policy,
  corpus: readonly CorpusRequest[],
): Promise<PolicyComparison> {
  const differences: Difference[] = [];
  for (const request of corpus) {
    const [da, db] = await Promise.all([a.decide(request.action), b.decide(request.action)]);
    if (da.decision === db.decision) continue;
    const by = (d: typeof da): DecidedBy => ({
      decision: d.decision,
      policies: d.policies,
      reason: d.reason,
    });
    differences.push({ request: requestKey(request.action), origin: request.origin, a: by(da), b: by(db) });
  }
  const groups = new Map<string, DifferenceGroup>();
  for (const d of differences) {
    const kind = d.request.slice(0, d.request.indexOf(':'));
    const key = JSON.stringify([kind, d.a.decision, d.b.decision, d.a.policies, d.b.policies]);
    const group = groups.get(key) ?? {
      kind,
      change: `${d.a.decision} → ${d.b.decision}` as const,
      aRules: d.a.policies,
      bRules: d.b.policies,
      requests: [],
    };
    group.requests.push(d);
    groups.set(key, group);
  }
  return {
    total: corpus.length,
    fromLogs: corpus.filter((r) => r.origin.startsWith('log ')).length,
    differences,
    groups: [...groups.values()].sort((x, y) => y.requests.length - x.requests.length),
  };
}
