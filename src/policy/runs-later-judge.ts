import { describeEntry, entryOfRule } from './runs-later-rules.ts';
import type { Decision, RunsLaterMatch, Verdict } from './types.ts';

/** The engine's answer for one request: a verdict, the rules that made it, and why. */
interface Judgement {
  decision: Verdict;
  policies: string[];
  reason: string;
}

const RANK: Record<Verdict, number> = { allow: 0, ask: 1, deny: 2 };
const VERB: Record<Verdict, string> = { allow: 'allowed by', ask: 'needs approval by', deny: 'denied by' };

/**
 * A write as the files rules judged it, made stricter by the `plant` rules its subjects matched:
 * a file that runs later is asked about (or denied, or allowed) as its sub-category says, with a
 * reason that says what would run it and when. A write the files rules deny stays denied; every
 * decision on such a file carries what it is, so reports can list it.
 */
/** `label` starts the reason a person reads (`write .github/workflows/ci.yml`), when it has none. */
export function withRunsLater(label: string, write: Decision, planted: Judgement[]): Decision {
  const hits = planted.filter(
    (j) => j.decision !== 'deny' || j.policies.length > 0 || j.reason.startsWith('policy evaluation failed'),
  );
  if (hits.length === 0) return write;
  const runsLater = matchesOf(hits.flatMap((j) => j.policies));
  const worst = hits.reduce<Verdict>((w, j) => (RANK[j.decision] > RANK[w] ? j.decision : w), 'allow');
  const ids = [...new Set(hits.filter((j) => j.decision === worst).flatMap((j) => j.policies))];
  const what = [...new Set(ids.map(entryOfRule).flatMap((e) => (e ? [describeEntry(e)] : [])))].join('; ');
  const why = `${what || 'a file that runs later'}; ${VERB[worst]} ${ids.join(', ') || 'the policy'}`;
  if (write.decision === 'deny' || RANK[worst] < RANK[write.decision]) return { ...write, runsLater };
  if (RANK[worst] === RANK[write.decision])
    return {
      ...write,
      policies: [...write.policies, ...ids],
      reason: `${write.reason}; runs outside the sandbox later — ${why}`,
      runsLater,
    };
  return {
    decision: worst,
    policies: ids,
    reason: `${label ? `${label}: ` : ''}runs outside the sandbox later — ${why}`,
    runsLater,
  };
}

function matchesOf(ids: string[]): RunsLaterMatch[] {
  return [...new Set(ids)].flatMap((rule) => {
    const entry = entryOfRule(rule);
    return entry ? [{ category: entry.category, rule, what: entry.what, runs: entry.runs }] : [];
  });
}
