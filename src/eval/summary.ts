/**
 * An evaluation run's trials aggregated into what a team decides on: per contestant, per instance,
 * and for every pair of contestants. `EvalSummary` is also `warden eval report --json`: a plain
 * JSON value (no undefined: a missing number is null), stable keys, versioned.
 */
import { mcnemar, passAtK, wilson } from './stats.ts';
import {
  type Contestant,
  contestantLabel,
  type EvalRunRecord,
  type TrialOutcome,
  type TrialRecord,
  type TrialResult,
} from './types.ts';

export const OUTCOMES: readonly TrialOutcome[] = ['resolved', 'unresolved', 'broken', 'error'];

/** One repeat of one instance for one contestant: its outcome, or `pending` until it is graded. */
export type Slot = TrialOutcome | 'pending';

/** A count over the done trials and its mean per done trial (null when none is done). */
export interface Tally {
  total: number;
  mean: number | null;
}

export interface ContestantSummary {
  /** Index into the run's contestants (and into every `outcomes` row of `instances`). */
  index: number;
  /** `agent/model`. */
  label: string;
  agent: string;
  model: string;
  /** total = instances × repeats; pending = total − done (queued, running or not yet created). */
  trials: { total: number; done: number; pending: number };
  /** Done trials by outcome. */
  outcomes: Record<TrialOutcome, number>;
  /** Resolved among done trials, with its Wilson 95% interval; rate null when none is done. */
  resolved: { count: number; rate: number | null; low: number; high: number };
  /**
   * pass@k for k = 1..repeats: the unbiased estimator per instance (n = its done repeats, c = its
   * resolved ones), averaged over the `instances` that have at least k done repeats.
   */
  passAtK: Array<{ k: number; value: number | null; instances: number }>;
  tokens: { input: Tally; output: Tally };
  /** USD over done trials; `unpriced` when any of them ran on a model without a price. */
  cost: Tally | 'unpriced';
  /** The contestant's wall time per done trial. */
  wallMs: { mean: number | null; median: number | null };
  turns: Tally;
  toolCalls: Tally;
  /** Policy asks (denied in an evaluation: nobody is there to answer). */
  asks: Tally;
  denials: Tally;
  guardFlags: Tally;
}

export interface InstanceSummary {
  id: string;
  /** outcomes[contestant][repeat]. */
  outcomes: Slot[][];
}

/** Two contestants on the units (instance, repeat) both have done. */
export interface PairSummary {
  /** Contestant indices, a < b. */
  a: number;
  b: number;
  paired: number;
  bothResolved: number;
  neitherResolved: number;
  /** Units only A resolved: McNemar's b. */
  onlyA: number;
  /** Units only B resolved: McNemar's c. */
  onlyB: number;
  /** Two-sided McNemar test; exact binomial below 25 discordant units, else chi-square (1 df). */
  mcnemar: { statistic: number; pValue: number; exact: boolean };
  /** Instances A resolved in some paired repeat and B in none; and the other way round. */
  instancesOnlyA: string[];
  instancesOnlyB: string[];
}

export interface EvalSummary {
  /** The shape of this object; raised when a key changes meaning or goes away. */
  version: 1;
  run: {
    id: string;
    suite: { name: string; file: string; digest: string; instances: number };
    policy: { name: string; digest: string };
    repeats: number;
    createdAt: string;
    createdBy: string;
    team: string | null;
  };
  trials: { total: number; done: number; pending: number };
  contestants: ContestantSummary[];
  /** In the order given (the suite's), then any instance only the trials name. */
  instances: InstanceSummary[];
  /** Every pair of contestants, (0, 1), (0, 2), … (1, 2), … */
  pairs: PairSummary[];
}

/** A trial counts once it is graded; anything else (queued, running, missing) is pending. */
type Grid = Array<Array<Array<TrialResult | undefined>>>; // [instance][contestant][repeat]

export function summarise(run: EvalRunRecord, trials: TrialRecord[], instanceIds: string[]): EvalSummary {
  const ids = [...new Set(instanceIds)];
  for (const trial of trials) if (!ids.includes(trial.instanceId)) ids.push(trial.instanceId);
  const row = new Map(ids.map((id, i) => [id, i]));
  const grid: Grid = ids.map(() =>
    run.contestants.map(() => Array.from({ length: run.repeats }, () => undefined)),
  );
  for (const trial of trials) {
    const slots = grid[row.get(trial.instanceId) as number]?.[trial.contestant];
    if (!slots || trial.repeat < 0 || trial.repeat >= run.repeats)
      throw new Error(
        `run ${run.id}: trial ${trial.instanceId} names contestant ${trial.contestant}, repeat ${trial.repeat}, but the run has ${run.contestants.length} contestants × ${run.repeats} repeats`,
      );
    if (trial.status !== 'done' || !trial.result) continue;
    slots[trial.repeat] = trial.result;
  }
  const contestants = run.contestants.map((contestant, index) =>
    summariseContestant(
      contestant,
      index,
      grid.map((cells) => cells[index] ?? []),
      run.repeats,
    ),
  );
  const pairs: PairSummary[] = [];
  for (let a = 0; a < run.contestants.length; a++)
    for (let b = a + 1; b < run.contestants.length; b++) pairs.push(comparePair(a, b, grid, ids));
  const total = ids.length * run.contestants.length * run.repeats;
  const done = contestants.reduce((sum, c) => sum + c.trials.done, 0);
  return {
    version: 1,
    run: {
      id: run.id,
      suite: { ...run.suite },
      policy: { ...run.policy },
      repeats: run.repeats,
      createdAt: run.createdAt,
      createdBy: run.createdBy,
      team: run.team ?? null,
    },
    trials: { total, done, pending: total - done },
    contestants,
    instances: ids.map((id, i) => ({
      id,
      outcomes: (grid[i] ?? []).map((repeats) => repeats.map((result) => result?.outcome ?? 'pending')),
    })),
    pairs,
  };
}

/** `byInstance[instance][repeat]` for one contestant. */
function summariseContestant(
  contestant: Contestant,
  index: number,
  byInstance: Array<Array<TrialResult | undefined>>,
  repeats: number,
): ContestantSummary {
  const done = byInstance.flat().filter((result): result is TrialResult => result !== undefined);
  const outcomes = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<TrialOutcome, number>;
  for (const result of done) outcomes[result.outcome]++;
  const interval = wilson(outcomes.resolved, done.length);
  const tally = (pick: (result: TrialResult) => number): Tally => {
    const total = done.reduce((sum, result) => sum + pick(result), 0);
    return { total, mean: done.length ? total / done.length : null };
  };
  const total = byInstance.length * repeats;
  return {
    index,
    label: contestantLabel(contestant),
    agent: contestant.agent,
    model: contestant.model,
    trials: { total, done: done.length, pending: total - done.length },
    outcomes,
    resolved: {
      count: outcomes.resolved,
      rate: interval.rate ?? null,
      low: interval.low,
      high: interval.high,
    },
    passAtK: Array.from({ length: repeats }, (_, i) => averagePassAtK(byInstance, i + 1)),
    tokens: { input: tally((r) => r.inputTokens), output: tally((r) => r.outputTokens) },
    cost: done.some((result) => result.cost === undefined) ? 'unpriced' : tally((r) => r.cost ?? 0),
    wallMs: { mean: tally((r) => r.wallMs).mean, median: median(done.map((r) => r.wallMs)) },
    turns: tally((r) => r.turns),
    toolCalls: tally((r) => r.toolCalls),
    asks: tally((r) => r.asks),
    denials: tally((r) => r.denials),
    guardFlags: tally((r) => r.guardFlags),
  };
}

function averagePassAtK(
  byInstance: Array<Array<TrialResult | undefined>>,
  k: number,
): ContestantSummary['passAtK'][number] {
  const values: number[] = [];
  for (const repeats of byInstance) {
    const done = repeats.filter((result) => result !== undefined);
    if (done.length < k) continue;
    values.push(passAtK(done.length, done.filter((r) => r.outcome === 'resolved').length, k));
  }
  const value = values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : null;
  return { k, value, instances: values.length };
}

function comparePair(a: number, b: number, grid: Grid, ids: string[]): PairSummary {
  const counts = { paired: 0, bothResolved: 0, neitherResolved: 0, onlyA: 0, onlyB: 0 };
  const instancesOnlyA: string[] = [];
  const instancesOnlyB: string[] = [];
  grid.forEach((cells, i) => {
    const left = cells[a] ?? [];
    const right = cells[b] ?? [];
    let aSolved = false;
    let bSolved = false;
    left.forEach((resultA, repeat) => {
      const resultB = right[repeat];
      if (!resultA || !resultB) return;
      const wonA = resultA.outcome === 'resolved';
      const wonB = resultB.outcome === 'resolved';
      counts.paired++;
      if (wonA && wonB) counts.bothResolved++;
      else if (wonA) counts.onlyA++;
      else if (wonB) counts.onlyB++;
      else counts.neitherResolved++;
      aSolved ||= wonA;
      bSolved ||= wonB;
    });
    if (aSolved && !bSolved) instancesOnlyA.push(ids[i] as string);
    if (bSolved && !aSolved) instancesOnlyB.push(ids[i] as string);
  });
  const test = mcnemar(counts.onlyA, counts.onlyB);
  return {
    a,
    b,
    ...counts,
    mcnemar: { statistic: test.statistic, pValue: test.pValue, exact: test.exact },
    instancesOnlyA,
    instancesOnlyB,
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A, B, …, Z, AA, AB, …: how tables and the grid name contestant `index` briefly. */
export function contestantLetter(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}
